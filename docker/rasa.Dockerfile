# Rasa 3.6 server on Python 3.10 with our NLU components (nlu/) importable.
FROM python:3.10.13-slim
WORKDIR /app
COPY requirements/rasa.lock.txt requirements/gazetteer.txt* requirements/
RUN pip install --no-cache-dir -r requirements/rasa.lock.txt \
    && if [ -f requirements/gazetteer.txt ]; then pip install --no-cache-dir -r requirements/gazetteer.txt; fi
COPY nlu/ nlu/
COPY rasa_ext/ rasa_ext/
COPY data/ data/
COPY config.yml domain.yml credentials.yml ./
COPY docker/endpoints.yml endpoints.yml
ENV PYTHONPATH=/app RASA_TELEMETRY_ENABLED=false
# The model is trained at build time so every replica serves the same one.
RUN mkdir -p data/dialogue && rasa train --data data/nlu data/rules.yml data/stories.yml data/dialogue --out models --fixed-model-name hanoi
EXPOSE 5005
# rasa_ext: Rasa's CLI with our patches (rasa_ext/patches.py)
CMD ["python", "-m", "rasa_ext", "run", "--enable-api", "-i", "0.0.0.0", "-p", "5005", "--model", "models/hanoi.tar.gz", "--credentials", "credentials.yml", "--endpoints", "endpoints.yml"]
