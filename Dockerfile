# The crawler image: the gxcrawler package, Scrapy project and antiword (legacy .doc).
#   docker compose build crawler
#   docker compose run --rm crawler scrapy crawl panzhihua -a year=2021
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# antiword reads legacy Word (.doc) reports; libgl1 and libglib2.0-0 are what OpenCV (the OCR
# reader's, from the rapidocr-onnxruntime wheel) links against; nothing else is needed from
# Debian (psycopg2-binary, lxml, pdfplumber and onnxruntime ship wheels). antiword loses vertically merged
# cells (most of section 三); build with --build-arg WITH_LIBREOFFICE=1 to read .doc
# through LibreOffice headless instead (every cell; the image grows by ~400 MB).
ARG WITH_LIBREOFFICE=0
RUN apt-get update \
    && apt-get install -y --no-install-recommends antiword libgl1 libglib2.0-0 \
    && if [ "$WITH_LIBREOFFICE" = 1 ]; then \
         apt-get install -y --no-install-recommends libreoffice-writer-nogui; fi \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# Dependencies first, from pyproject.toml alone: a code edit rebuilds only the layers below,
# never re-downloads the dependencies.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && useradd --create-home --uid 1000 gx
# Then the code (the scheduler, `gxcrawler nightly`, is part of the package: nothing is bind-mounted).
COPY README.md scrapy.cfg ./
COPY gxcrawler ./gxcrawler
COPY spiders ./spiders
COPY pipelines ./pipelines
RUN pip install --no-deps . \
    && mkdir -p /app/crawls \
    && chown -R gx /app
USER gx

# `scrapy` finds scrapy.cfg in /app; GXCRAWLER_DATABASE_URL comes from docker-compose.yml.
CMD ["scrapy", "list"]
