# The Airflow image with cursor-spend installed as a package (a wheel, not the repository): Airflow 3.3.2 on
# Python 3.11 plus the locked dependency set, and the DAG files copied into Airflow's dags folder, as a data team
# adds cursor-spend to the Airflow it already runs. Built by docker-compose.yml; `docker build .` works on its own.
FROM apache/airflow:3.3.2-python3.11 AS wheel
COPY --chown=airflow:0 . /tmp/cursor-spend
RUN pip wheel --no-deps --no-cache-dir --wheel-dir /tmp/wheels /tmp/cursor-spend

FROM apache/airflow:3.3.2-python3.11
ENV CURSOR_SPEND_HOME=/opt/cursor-spend
USER root
RUN mkdir -p "${CURSOR_SPEND_HOME}/warehouse" && chown -R airflow:0 "${CURSOR_SPEND_HOME}"
USER airflow

# Dependencies first, so code changes do not reinstall them. The lock pins apache-airflow==3.3.2 as well, so pip
# keeps the image's Airflow.
COPY --chown=airflow:0 requirements.lock /tmp/requirements.lock
RUN pip install --no-cache-dir -r /tmp/requirements.lock
COPY --from=wheel /tmp/wheels /tmp/wheels
RUN pip install --no-cache-dir --no-deps /tmp/wheels/cursor_spend-*.whl
COPY --chown=airflow:0 dags/ /opt/airflow/dags/
WORKDIR /opt/airflow
