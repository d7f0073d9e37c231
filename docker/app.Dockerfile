# The app image: web app (waitress), action server (rasa_sdk), channel workers.
FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends espeak-ng sox ffmpeg \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements/ requirements/
# Every requirement file of the app venv (not Rasa's lock, not the Debian lists); a failed
# install fails the build.
RUN set -e; for r in requirements/*.txt; do \
      case "$r" in */rasa.lock.txt|*/apt*) ;; *) pip install --no-cache-dir -r "$r" ;; esac; done
COPY . .
ENV PYTHONPATH=/app
EXPOSE 8000 5055
CMD ["python", "-m", "bot.web.serve"]
