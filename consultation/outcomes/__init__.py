"""We asked, you said, we did: the outcome of a closed consultation and the e-mail about it."""
