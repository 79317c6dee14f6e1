"""Referral dossiers: export a matter's signed history for offline verification (issue 7).

``collect`` finds the events, ``redaction`` what is withheld, ``account`` renders index.html,
``export`` builds the zip with ``signing.dossier`` (which also verifies it).
"""
