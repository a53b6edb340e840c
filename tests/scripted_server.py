"""A scripted OpenAI-compatible chat server on loopback, for fault-injection tests.

Each request takes the next mode from ``faults`` (or ``ok`` when it is empty, or a random fault at
``rate`` when one is given): ``ok`` answers like the model would (from a responder of the test
doubles), ``429``/``500`` answer that status, ``hang`` sleeps past the client's timeout, ``malformed``
returns text that is not JSON, ``schema`` returns JSON that breaks the schema, ``nonjson`` returns a
200 whose body is an HTML page. Every request's mode is recorded.

A streamed request (``"stream": true``) is answered as server-sent events, like the API does; two
modes are about streams only: ``plain`` answers it with the plain (unstreamed) JSON, ``broken``
sends a first event and then a body that is not an event stream.
"""

from __future__ import annotations

import json
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

FAULTS = ("429", "500", "hang", "malformed", "schema", "nonjson")


class ScriptedServer:
    def __init__(
        self, responder, hang_s: float = 3.0, rate: float = 0.0, seed: int = 7, kinds: tuple[str, ...] = FAULTS
    ) -> None:
        self.responder, self.hang_s, self.rate, self.kinds = responder, hang_s, rate, kinds
        self.faults: list[str] = []
        self.seen: list[str] = []
        self._rnd = random.Random(seed)
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):  # quiet
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                mode = server._next()
                if mode in ("429", "500"):
                    return self._send(int(mode), {"error": {"message": f"scripted {mode}", "type": "server"}})
                if mode == "hang":
                    time.sleep(server.hang_s)
                    return self._send(500, {"error": {"message": "too late"}})
                if mode == "nonjson":
                    return self._raw(200, b"<html><body>502 Bad Gateway</body></html>", "text/html")
                if mode == "malformed":
                    content = '{"themes": [ {"title": "unterminated'
                elif mode == "schema":
                    content = json.dumps({"unexpected": True})
                else:
                    content = server._answer(body)
                if body.get("stream") and mode not in ("plain", "malformed", "schema"):
                    return self._events(body, content, broken=mode == "broken")
                if body.get("stream") and mode in ("malformed", "schema"):
                    return self._events(body, content)
                return self._send(
                    200,
                    {
                        "id": "x",
                        "object": "chat.completion",
                        "created": 0,
                        "model": body.get("model", "m"),
                        "choices": [
                            {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}
                        ],
                        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
                    },
                )

            def _events(self, body, content, broken=False):
                """The answer as the API streams it: a chunk per few characters, then [DONE]."""

                def event(delta, finish=None):
                    obj = {
                        "id": "x",
                        "object": "chat.completion.chunk",
                        "created": 0,
                        "model": body.get("model", "m"),
                        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
                    }
                    return b"data: " + json.dumps(obj, ensure_ascii=False).encode() + b"\n\n"

                parts = [event({"role": "assistant", "content": ""})]
                if body.get("return_progress"):
                    # llama.cpp's prompt-progress chunks: an empty assistant delta and how far the prompt is read
                    for done in (4, 10):
                        obj = json.loads(event({"role": "assistant", "content": None})[6:])
                        obj["prompt_progress"] = {"total": 10, "cache": 0, "processed": done, "time_ms": done}
                        parts.append(b"data: " + json.dumps(obj).encode() + b"\n\n")
                if broken:
                    parts.append(b'data: {"id": "x", "choices": [{"delta": {"content": "{\\"ti\n\n')
                    parts.append(b"<html>502 Bad Gateway</html>\n\n")
                else:
                    parts += [event({"content": content[i : i + 8]}) for i in range(0, len(content), 8)]
                    parts.append(event({}, "stop"))
                    if (body.get("stream_options") or {}).get("include_usage"):
                        # as the API and llama.cpp do: a last chunk with no choices and the usage
                        usage = {
                            "id": "x",
                            "object": "chat.completion.chunk",
                            "created": 0,
                            "choices": [],
                            "model": body.get("model", "m"),
                            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
                        }
                        parts.append(b"data: " + json.dumps(usage).encode() + b"\n\n")
                    parts.append(b"data: [DONE]\n\n")
                self._raw(200, b"".join(parts), "text/event-stream")

            def _send(self, status, obj):
                self._raw(status, json.dumps(obj, ensure_ascii=False).encode(), "application/json")

            def _raw(self, status, data, ctype):
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (a hang)
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def _next(self) -> str:
        with self._lock:
            if self.faults:
                mode = self.faults.pop(0)
            elif self.rate and self._rnd.random() < self.rate:
                mode = self._rnd.choice(self.kinds)
            else:
                mode = "ok"
            self.seen.append(mode)
            return mode

    def _answer(self, body: dict) -> str:
        kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
        messages = [kinds.get(m["role"], HumanMessage)(m["content"]) for m in body["messages"]]
        reply = self.responder(messages, {"response_format": body.get("response_format")})
        if hasattr(reply, "model_dump_json"):
            return reply.model_dump_json()
        return reply if isinstance(reply, str) else json.dumps(reply, ensure_ascii=False)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
