"""A TCP server on 127.0.0.1 that runs its asyncio loop in a background
thread, for the fault proxy and the scripted hostile server:

    with Subclass(...) as server:   # server.port is listening
        ...

A subclass defines `async def handle(self, reader, writer)` for one
connection; `limit` is the stream reader's line limit."""

import asyncio
import threading

HOST = "127.0.0.1"


class BackgroundServer:
    name = "server"
    limit = 1 << 16

    def __init__(self):
        self.port = None
        self._loop = self._stop = self._thread = self._error = None
        self._ready = threading.Event()

    async def handle(self, reader, writer):
        raise NotImplementedError

    async def serve_session(self, session, writer):
        """Runs a scripted session's run() to its end: a client that
        leaves is no error; anything else raised is a bug of the script,
        kept in self.errors for the test to see."""
        try:
            await session.run()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            raise
        except Exception as e:  # a bug here, not in the client
            self.errors.append(e)
        finally:
            writer.close()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def start(self):
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()
        self._ready.wait(10)
        if self._error is not None:
            raise self._error
        if self.port is None:
            raise RuntimeError("%s did not start" % self.name)

    def stop(self):
        if self._loop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(10)

    def _run(self):
        try:
            asyncio.run(self._main())
        except BaseException as e:  # reported to start() if it was early
            self._error = e
            self._ready.set()

    async def _main(self):
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        tasks = set()

        async def accept(reader, writer):
            task = asyncio.current_task()
            tasks.add(task)
            try:
                await self.handle(reader, writer)
            finally:
                tasks.discard(task)

        server = await asyncio.start_server(accept, HOST, 0, limit=self.limit)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        await self._stop.wait()
        server.close()
        for t in list(tasks):
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()


def serve_until_interrupted(server, what):
    """Command-line use: start server, say where it listens, run until ^C."""
    with server:
        print("%s on %s:%d" % (what, HOST, server.port), flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    return 0
