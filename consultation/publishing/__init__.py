"""Publication of contributions: the consultation's setting, moderation, redactions, public reads.

A contribution is public when four things hold at once (``rules``): its
consultation's setting allows it now, its respondent chose a way to be published,
it is not flagged nor erased, and a moderator cleared its free texts and files
(a contribution with none needs nobody). What of it is shown follows the
allow-list of ``reports.publication``; redacted words are replaced by "[removed]".
"""
