"""Issue 6: views, reader role, exports."""
