"""Helpers the revisions were meant to share (not a revision)."""


def money(precision=12, scale=2):
    import sqlalchemy as sa

    return sa.Numeric(precision, scale)
