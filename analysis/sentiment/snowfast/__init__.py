"""SnowNLP's sentiment, bit for bit, compiled: the scorer and its caches (model), the cache builder run in a child
process (build), the numba kernel (kernel)."""
