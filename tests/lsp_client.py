"""A minimal editor: drives a language server over JSON-RPC on stdio, as an editor does.

Only what the editor tests need: initialize, open a file, ask for signature help
and completions at a position, shut down. Requests the server makes of the
client (configuration, capability registration, progress) get the answers an
editor with default settings gives.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

TIMEOUT = 120.0


class LspError(RuntimeError):
    """The server answered a request with an error, went silent or stopped."""


class LanguageServer:
    """One language server process, spoken to over its stdin and stdout."""

    def __init__(self, command: list[str], root: Path, settings: dict[str, Any]) -> None:
        self._settings = settings
        self._process = subprocess.Popen(
            command,
            cwd=root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._next_id = 0
        self._responses: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read_messages, daemon=True)
        self._reader.start()
        self.request(
            "initialize",
            {
                "processId": None,
                "rootUri": root.as_uri(),
                "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
                "initializationOptions": settings.get("initializationOptions", {}),
                "capabilities": {
                    "textDocument": {
                        "signatureHelp": {
                            "signatureInformation": {
                                "parameterInformation": {"labelOffsetSupport": True}
                            }
                        },
                        "completion": {"completionItem": {"snippetSupport": False}},
                    },
                    "workspace": {"configuration": True, "workspaceFolders": True},
                },
            },
        )
        self.notify("initialized", {})

    # --- the wire ----------------------------------------------------------------

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self._process.stdin is not None
        self._process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self._process.stdin.flush()

    def _read_messages(self) -> None:
        stream = self._process.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                header = stream.readline()
                if not header:
                    self._responses.put(None)
                    return
                if header in (b"\r\n", b"\n"):
                    break
                name, _, value = header.decode().partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            if length is None:
                continue
            message = json.loads(stream.read(length))
            if "method" in message and "id" in message:
                self._answer(message)
            elif "id" in message:
                self._responses.put(message)

    def _answer(self, request: dict[str, Any]) -> None:
        """What an editor says when the server asks it something."""
        result: Any = None
        if request["method"] == "workspace/configuration":
            sections = [item.get("section") for item in request["params"]["items"]]
            result = [self._settings.get("configuration", {}).get(s) for s in sections]
        elif request["method"] == "workspace/workspaceFolders":
            result = []
        self._send({"id": request["id"], "result": result})

    # --- requests ----------------------------------------------------------------

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self._send({"method": method, "params": params})

    def request(self, method: str, params: dict[str, Any]) -> Any:
        self._next_id += 1
        self._send({"id": self._next_id, "method": method, "params": params})
        while True:
            try:
                message = self._responses.get(timeout=TIMEOUT)
            except queue.Empty:
                raise LspError(f"{method}: no answer in {TIMEOUT:.0f} s") from None
            if message is None:
                raise LspError(f"{method}: the server stopped")
            if message.get("id") != self._next_id:
                continue
            if "error" in message:
                raise LspError(f"{method}: {message['error']}")
            return message.get("result")

    def open(self, path: Path) -> None:
        self.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": path.as_uri(),
                    "languageId": "python",
                    "version": 1,
                    "text": path.read_text(),
                }
            },
        )

    def _at(self, path: Path, line: int, character: int) -> dict[str, Any]:
        return {
            "textDocument": {"uri": path.as_uri()},
            "position": {"line": line, "character": character},
        }

    def signature(self, path: Path, line: int, character: int) -> str | None:
        """The label of the active signature at a position, as the editor's pop-up shows."""
        help = self.request("textDocument/signatureHelp", self._at(path, line, character))
        if not help or not help.get("signatures"):
            return None
        active = help.get("activeSignature") or 0
        return str(help["signatures"][min(active, len(help["signatures"]) - 1)]["label"])

    def completions(self, path: Path, line: int, character: int) -> set[str]:
        """The labels the completion list offers at a position."""
        found = self.request("textDocument/completion", self._at(path, line, character))
        items = found.get("items", []) if isinstance(found, dict) else found or []
        return {str(item["label"]) for item in items}

    def close(self) -> None:
        try:
            self.request("shutdown", {})
            self.notify("exit", {})
            self._process.wait(timeout=10)
        except (LspError, OSError, subprocess.TimeoutExpired):
            pass
        finally:
            if self._process.poll() is None:
                self._process.kill()
                self._process.wait()


def server_command(name: str) -> list[str]:
    """How an editor starts each server, from the venv of this interpreter."""
    tool = Path(sys.executable).with_name
    return {
        "pyright": [str(tool("pyright-langserver")), "--stdio"],
        "ty": [str(tool("ty")), "server"],
        "pyrefly": [str(tool("pyrefly")), "lsp"],
        "jedi": [str(tool("jedi-language-server"))],
    }[name]
