"""Channels: Telegram, Zalo OA and the household device into the one gateway, exactly once.

Environment (all optional; a channel whose credentials are unset answers 401/503):
TELEGRAM_BOT_TOKEN        — bot token from @BotFather (default: unset, Telegram off)
TELEGRAM_MODE             — webhook | polling (default webhook; polling: `python -m bot.channels.telegram`)
TELEGRAM_WEBHOOK_SECRET   — X-Telegram-Bot-Api-Secret-Token expected on the webhook (unset = refuse all)
TELEGRAM_WEBHOOK_URL      — public https URL registered by `python -m bot.channels.telegram` in webhook mode
TELEGRAM_API_BASE_URL     — Bot API root (default https://api.telegram.org; tests point it at a stand-in)
ZALO_APP_ID               — Zalo app id (default unset = Zalo webhook refuses all)
ZALO_APP_SECRET           — app secret key, sent as `secret_key` when refreshing tokens
ZALO_OA_SECRET_KEY        — OA secret key for X-ZEvent-Signature verification
ZALO_ACCESS_TOKEN         — initial OA access token (seeds the zalo_tokens table; later ones live there)
ZALO_REFRESH_TOKEN        — initial OA refresh token (single use; the new one is saved at once)
ZALO_TOKEN_FILE           — old token file, read once to seed the database (default var/zalo_tokens.json)
ZALO_API_BASE_URL         — OA API root (default https://openapi.zalo.me)
ZALO_OAUTH_BASE_URL       — OAuth root (default https://oauth.zaloapp.com)
DEVICE_ADMIN_TOKEN        — bearer token for device registration and announcements (default unset = admin off)
DEVICE_MAX_AUDIO_BYTES    — largest audio clip a device may upload (default 5 MB)
DEVICE_MAX_PHOTO_BYTES    — largest photo a device may upload (default 5 MB)
UPLOAD_DIR                — where photos / voice notes / clips are stored (default var/uploads)
CHANNELS_ASR              — auto | off: transcribe voice notes with voice.asr when present (default auto)
CHANNELS_TTS              — auto | off: add speech_url (voice.tts) to device replies (default auto)
DELIVERY_POLL_SECONDS     — outbox delivery worker idle poll interval (default 2)
DELIVERY_INBOUND          — on | off: the delivery worker also replays the inbound queue (default on)
INBOUND_LEASE_SECONDS     — how long a claimed inbound message is held before another try (default 120)
INBOUND_RETRY_SECONDS     — first backoff while Rasa/actions are down, doubling (default 2)
INBOUND_MAX_BACKOFF_SECONDS — longest backoff (default 60)
INBOUND_EMPTY_RETRIES     — tries when Rasa answers nothing before the apology sentence (default 5)
OUTBOX_LEASE_SECONDS      — how long a leased outbox row is held before another sender may take it (default 120)
Reliability (inbound queue, outbox, degraded mode, fault suite): docs/channels.md.
"""
