"""Django's Redis cache backend, keeping one redis client per connection pool.

Django's ``RedisCacheClient`` builds a new ``redis.Redis`` for every cache call, and that constructor
fills a table of some 170 response callbacks: about a third of the time a cached page took to serve
(measured with cProfile on a page-cache hit). A client is thread-safe and holds no connection of its own,
so one per pool is kept instead. ``CACHE_URL=redis://...`` selects this backend (festival/settings.py).
"""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(self._servers[index], **self._pool_options)
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
