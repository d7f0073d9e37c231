# Default configuration for `make run` / `make test` (sourced by the Makefile).
# Every value can be overridden from the environment; see README "Configuration".
export RASA_HOST="${RASA_HOST:-127.0.0.1}"
export RASA_PORT="${RASA_PORT:-5005}"
export RASA_URL="${RASA_URL:-http://${RASA_HOST}:${RASA_PORT}}"
export ACTIONS_HOST="${ACTIONS_HOST:-127.0.0.1}"
export ACTIONS_PORT="${ACTIONS_PORT:-5055}"
export ACTION_SERVER_URL="${ACTION_SERVER_URL:-http://${ACTIONS_HOST}:${ACTIONS_PORT}/webhook}"
export WEB_HOST="${WEB_HOST:-127.0.0.1}"
export WEB_PORT="${WEB_PORT:-8000}"
export DATABASE_URL="${DATABASE_URL:-sqlite:///$PWD/var/hanoi.db}"
# Booking a turn: days of slots published ahead, how often the delivery worker publishes slots
# and queues reminders, and the local hour from which day-before reminders go out.
export BOOKING_SEED_DAYS="${BOOKING_SEED_DAYS:-14}"
export BOOKING_CHECK_SECONDS="${BOOKING_CHECK_SECONDS:-300}"
export BOOKING_REMINDER_HOUR="${BOOKING_REMINDER_HOUR:-7}"
export RASA_TRACKER_DB="${RASA_TRACKER_DB:-$PWD/var/rasa_tracker.db}"
export RASA_TELEMETRY_ENABLED=false
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
export SANIC_HOST="${SANIC_HOST:-127.0.0.1}"
# Denouncers' identities are encrypted with DENOUNCE_KEY (Fernet; comma-separated for rotation,
# `python -m feedback_router.civic.identity_crypto genkey`). Unset here: the embedded setup generates a
# development key into DENOUNCE_KEY_FILE with a warning. Production sets DENOUNCE_KEY and no file,
# and the processes refuse to start without it.
export DENOUNCE_KEY_FILE="${DENOUNCE_KEY_FILE:-$PWD/var/denounce.key}"
# Voice (hotline, vosk-compatible WebSocket): see voice/README.md "Configuration".
export AUDIOSOCKET_PORT="${AUDIOSOCKET_PORT:-9092}"
export HOTLINE_HEALTH_PORT="${HOTLINE_HEALTH_PORT:-8092}"
export VOSK_WS_PORT="${VOSK_WS_PORT:-2700}"
export ASR_ENGINE="${ASR_ENGINE:-auto}"
