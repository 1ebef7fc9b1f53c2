# The Airflow image with cursor-spend installed: Airflow 3.3.2 on Python 3.11 plus the locked dependency set.
# Built by docker-compose.yml; `docker build -t cursor-spend-airflow .` works on its own too.
FROM apache/airflow:3.3.2-python3.11

ENV CURSOR_SPEND_HOME=/opt/cursor-spend
USER root
RUN mkdir -p "${CURSOR_SPEND_HOME}/warehouse" && chown -R airflow:0 "${CURSOR_SPEND_HOME}"
USER airflow
WORKDIR ${CURSOR_SPEND_HOME}

# Dependencies first, so code changes do not reinstall them. The lock pins apache-airflow==3.3.2 as well, so
# pip keeps the image's Airflow.
COPY --chown=airflow:0 requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock

# The project, installed in editable mode: cursor_spend.config finds dbt_project/ beside the package.
COPY --chown=airflow:0 . ./
RUN pip install --no-cache-dir --no-deps -e .

WORKDIR /opt/airflow
