"""Bounded helpers shared by hot paths.

* :func:`parallel_map`: ``func`` over ``items`` on at most ``workers``
  threads (in the caller's thread when one is enough), results in order.
* :func:`remember`: store into a dict cache that is emptied once it holds
  ``limit`` entries; for answers that depend on their key alone, so a
  forgotten one only costs its computation again.
"""
import concurrent.futures


def parallel_map(func, items, workers, name):
    items = list(items)
    if workers <= 1 or len(items) <= 1:
        return [func(item) for item in items]
    with concurrent.futures.ThreadPoolExecutor(
            max_workers=min(workers, len(items)),
            thread_name_prefix=name) as pool:
        return list(pool.map(func, items))


def remember(cache, key, value, limit):
    if len(cache) >= limit:
        cache.clear()
    cache[key] = value
    return value
