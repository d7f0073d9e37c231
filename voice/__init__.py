"""Speech in and out for the Hanoi assistant: audio conversion, ASR (Vosk / viet-asr),
TTS (espeak-ng / Piper), the Asterisk AudioSocket hotline and a vosk-compatible
WebSocket server. See voice/README.md."""
