"""Tawrid — the platform of Morocco's medical-device industry cluster."""
