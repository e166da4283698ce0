"""Offline simulations of the real portals (see ``base.py`` for the contract)."""
