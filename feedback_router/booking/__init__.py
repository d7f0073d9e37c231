"""Appointments at the one-stop desks: desks and slots, offers, reminders."""
