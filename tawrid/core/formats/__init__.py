"""Date and number formats that replace some of Django's, per language (settings.FORMAT_MODULE_PATH): a module
only names what it changes; the rest comes from Django's own formats of the language."""
