"""Mall content: the draft staff edit, published immutable versions, content-addressed blobs."""
