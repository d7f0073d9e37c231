# The app image: web app (waitress), action server (rasa_sdk), channel workers.
FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends espeak-ng sox ffmpeg \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements/ requirements/
RUN for r in requirements/app.txt requirements/gazetteer.txt requirements/tourism.txt \
             requirements/voice.txt requirements/channels.txt; do \
      [ -f "$r" ] && pip install --no-cache-dir -r "$r"; done; true
COPY . .
ENV PYTHONPATH=/app
EXPOSE 8000 5055
CMD ["python", "-m", "bot.web.serve"]
