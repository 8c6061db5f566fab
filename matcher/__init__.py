"""The matching engine: normalisation, keyed hashing, corpus index, extraction, scoring.

Data flows one way: a document's text is decoded (:mod:`matcher.decode`), cut into
candidate rows (:mod:`matcher.extract`), normalised into fields (:mod:`matcher.fields`),
hashed with the secret key (:mod:`matcher.keys`), looked up in the corpus index
(:mod:`matcher.index`) and weighed (:mod:`matcher.scoring`) into matches and a
document verdict (:mod:`matcher.scan`).
"""
