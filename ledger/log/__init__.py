"""The verifiable log: Merkle tree storage, the integrator, proofs and the verifier.

This is the ledger's infrastructure (SQLAlchemy Core); the domain modules of ``ledger``
never import it.
"""
