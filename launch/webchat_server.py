"""Serve the web chat page (webchat/) on its own port, telling it where the Rasa server is.

    python -m launch.webchat_server --port 8080 --rasa-url http://localhost:5005 [--message-delay 0]

Static files only, from webchat/ (node_modules/ is not served), plus /config.js with the Rasa URL and, when
given, the widget's pause in milliseconds before it shows each bot message (its default grows with the
message's length; tests set 0).
"""

from __future__ import annotations

import argparse
import functools
import json
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, Optional

WEBCHAT = Path(__file__).resolve().parent.parent / "webchat"
HIDDEN = (WEBCHAT / "node_modules", WEBCHAT / "package.json", WEBCHAT / "package-lock.json")


class Handler(SimpleHTTPRequestHandler):
    rasa_url = "http://localhost:5005"
    message_delay: Optional[int] = None

    def config(self) -> Dict[str, Any]:
        found: Dict[str, Any] = {"socketUrl": self.rasa_url}
        if self.message_delay is not None:
            found["messageDelay"] = self.message_delay
        return found

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/config.js":
            body = f"window.LEGCRAMPS_CHAT = {json.dumps(self.config())};\n".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/javascript; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)
        elif self.hidden():
            self.send_error(404)
        else:
            super().do_GET()

    def hidden(self) -> bool:
        target = Path(self.translate_path(self.path)).resolve()
        return any(target == hidden or hidden in target.parents for hidden in HIDDEN)

    def end_headers(self) -> None:
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


def server(
    port: int, rasa_url: str, host: str = "127.0.0.1", message_delay: Optional[int] = None
) -> ThreadingHTTPServer:
    handler = type("ConfiguredHandler", (Handler,), {"rasa_url": rasa_url, "message_delay": message_delay})
    return ThreadingHTTPServer((host, port), functools.partial(handler, directory=str(WEBCHAT)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--rasa-url", default="http://localhost:5005")
    parser.add_argument("--message-delay", type=int, default=None, help="ms before each bot message (0: none)")
    args = parser.parse_args()
    if not (WEBCHAT / "vendor" / "rasa-webchat.js").exists():
        raise SystemExit("webchat/vendor/rasa-webchat.js is missing: run `make webchat` first")
    httpd = server(args.port, args.rasa_url, args.host, args.message_delay)
    print(f"  Web chat page: http://{args.host}:{args.port}/  (Rasa at {args.rasa_url})", flush=True)
    httpd.serve_forever()


if __name__ == "__main__":
    main()
