"""Fixtures for the zeep interoperability suite.

The suite talks to a real `ipsd` process through zeep, a third-party SOAP client that builds its
proxies from the WSDL the server publishes. One server is started per test session:

* binary: ``$IPSD_BIN``, default ``<repo>/target/debug/ipsd`` (build it first: ``cargo build``);
* catalog: SQLite in a fresh temporary data directory (every ``IPSD_*`` variable of the calling
  environment is dropped, so a Postgres URL meant for the Rust tests never leaks in);
* address: ``127.0.0.1`` on a free port;
* first IpsAdmin: ``admin@example.com`` / ``secret`` (``IPSD_ADMIN_USER``/``IPSD_ADMIN_PASSWORD``).

The server log is printed in the terminal summary when the session fails. Set
``IPSD_KEEP_TEST_DATA=1`` to keep the data directory and log.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pytest
import requests
import zeep
from lxml import etree
from PIL import Image
from zeep.plugins import HistoryPlugin

REPO = Path(__file__).resolve().parents[2]

BASE_NS = "http://www.scene7.com/IpsApi/xsd"
NS_2014 = f"{BASE_NS}/2014-04-03"
AUTH_HEADER = f"{{{BASE_NS}}}authHeader"

ADMIN_USER = "admin@example.com"
ADMIN_PASSWORD = "secret"

# Every WSDL the server publishes (ips-soap.md §3.1): file name -> target namespace.
WSDL_VERSIONS = {
    "IpsApi-2014-04-03.wsdl": f"{BASE_NS}/2014-04-03",
    "IpsApi-2013-02-15.wsdl": f"{BASE_NS}/2013-02-15",
    "IpsApi-2012-02-14.wsdl": f"{BASE_NS}/2012-02-14",
    "IpsApi-2010-01-31.wsdl": f"{BASE_NS}/2010-01-31",
    "IpsApi-2009-07-31.wsdl": f"{BASE_NS}/2009-07-31",
    "IpsApi-2008-09-10.wsdl": f"{BASE_NS}/2008-09-10",
    "IpsApi-2008-01-15.wsdl": f"{BASE_NS}/2008-01-15",
    "IpsApi.wsdl": BASE_NS,
}

STARTUP_TIMEOUT_S = 30.0
POLL_INTERVAL_S = 0.05

_server_log: Path | None = None
_session_tmp: Path | None = None


@dataclass
class Server:
    base_url: str
    data_dir: Path
    log_path: Path
    proc: subprocess.Popen

    def wsdl_url(self, wsdl_file: str = "IpsApi-2014-04-03.wsdl") -> str:
        return f"{self.base_url}/scene7/webservice/{wsdl_file}"

    @property
    def soap_url(self) -> str:
        return f"{self.base_url}/scene7/services/IpsApiService"

    @property
    def upload_url(self) -> str:
        return f"{self.base_url}/scene7/UploadFile"

    def log_tail(self, lines: int = 80) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPSD_")}
    env["IPSD_ADMIN_USER"] = ADMIN_USER
    env["IPSD_ADMIN_PASSWORD"] = ADMIN_PASSWORD
    env.setdefault("RUST_LOG", "info")
    # Keep colour codes out of the log we may print.
    env["NO_COLOR"] = "1"
    return env


def _stop(proc: subprocess.Popen) -> int | None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
    return proc.returncode


def _wait_ready(server: Server) -> str | None:
    """None once /healthz says ready, else why not."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            return f"ipsd exited with status {server.proc.returncode} during start-up"
        try:
            r = requests.get(f"{server.base_url}/healthz", timeout=2)
            # The answer must come from our process, not from a stranger on the port.
            if r.status_code == 200 and r.json().get("ready") is True and server.proc.poll() is None:
                return None
        except (requests.RequestException, ValueError):
            pass
        time.sleep(POLL_INTERVAL_S)
    return f"ipsd did not report ready within {STARTUP_TIMEOUT_S}s"


def _start(binary: Path, data_dir: Path, log_path: Path) -> Server:
    """Start one server on a free port; retry if another process grabbed the port meanwhile."""
    why = "not started"
    for _attempt in range(3):
        port = _free_port()
        with open(log_path, "ab") as log:
            proc = subprocess.Popen(
                [str(binary), "serve", "--data-dir", str(data_dir), "--listen", f"127.0.0.1:{port}"],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=_server_env(),
                cwd=str(data_dir),
            )
        server = Server(f"http://127.0.0.1:{port}", data_dir, log_path, proc)
        why = _wait_ready(server)
        if why is None:
            return server
        _stop(proc)
        if "Address already in use" not in server.log_tail():
            break
    tail = log_path.read_text(errors="replace") if log_path.exists() else ""
    pytest.fail(f"{why}\n--- server log ---\n{tail[-6000:]}", pytrace=False)


@pytest.fixture(scope="session")
def ipsd() -> Iterator[Server]:
    global _server_log, _session_tmp
    binary = Path(os.environ.get("IPSD_BIN", REPO / "target" / "debug" / "ipsd"))
    if not binary.is_file() or not os.access(binary, os.X_OK):
        pytest.fail(f"ipsd binary not found at {binary}; run `cargo build` or set IPSD_BIN")
    tmp = Path(tempfile.mkdtemp(prefix="ipsd-zeep-"))
    _session_tmp = tmp
    data_dir = tmp / "data"
    data_dir.mkdir()
    log_path = tmp / "ipsd.log"
    _server_log = log_path
    server = _start(binary, data_dir, log_path)
    try:
        yield server
    finally:
        rc = _stop(server.proc)
        if rc not in (0, -signal.SIGTERM):
            print(f"\nwarning: ipsd exited with status {rc} after SIGTERM")
        if os.environ.get("IPSD_KEEP_TEST_DATA"):
            print(f"\nipsd data kept in {tmp}")
        else:
            # The log stays until pytest_unconfigure, for the terminal summary.
            shutil.rmtree(data_dir, ignore_errors=True)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if exitstatus != 0 and _server_log is not None and _server_log.exists():
        text = _server_log.read_text(errors="replace").splitlines()
        terminalreporter.section("ipsd server log (last 120 lines)")
        terminalreporter.write_line("\n".join(text[-120:]))


def pytest_unconfigure(config):
    if _session_tmp is not None and not os.environ.get("IPSD_KEEP_TEST_DATA"):
        shutil.rmtree(_session_tmp, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# zeep helpers


def make_client(
    server: Server,
    user: str | None = None,
    password: str | None = None,
    wsdl_file: str = "IpsApi-2014-04-03.wsdl",
) -> zeep.Client:
    """A zeep client built from the server's WSDL; with credentials, every call carries authHeader.

    The client gets a HistoryPlugin as ``client.history`` so failing tests can show the exchange.
    """
    history = HistoryPlugin(maxlen=4)
    client = zeep.Client(server.wsdl_url(wsdl_file), plugins=[history])
    client.history = history  # type: ignore[attr-defined]
    if user is not None:
        header = client.get_element(AUTH_HEADER)
        client.set_default_soapheaders([header(user=user, password=password, appName="zeep-interop", appVersion="1")])
    return client


def last_exchange(client: zeep.Client) -> str:
    """The last request and reply envelopes as text, for assertion messages."""
    h: HistoryPlugin = client.history  # type: ignore[attr-defined]
    out = []
    for label, item in (("sent", h.last_sent), ("received", h.last_received)):
        if item and item.get("envelope") is not None:
            out.append(f"--- {label} ---\n" + etree.tostring(item["envelope"], pretty_print=True).decode())
    return "\n".join(out)


def fault_detail(fault: zeep.exceptions.Fault) -> tuple[str, int, str]:
    """(detail element local name, code, reason) of an IPS fault."""
    assert fault.detail is not None, f"fault {fault.message!r} has no <detail>"
    children = [c for c in fault.detail if isinstance(c.tag, str)]
    assert len(children) == 1, etree.tostring(fault.detail).decode()
    el = children[0]
    qn = etree.QName(el)
    assert qn.namespace == BASE_NS, f"fault detail must be in the base namespace: {etree.tostring(el).decode()}"
    code = el.findtext(f"{{{BASE_NS}}}code")
    reason = el.findtext(f"{{{BASE_NS}}}reason")
    assert code is not None, etree.tostring(el).decode()
    return qn.localname, int(code), reason or ""


def wait_for(predicate: Callable[[], object], timeout: float = 20.0, what: str = "condition"):
    """Poll ``predicate`` until it returns something truthy; return that value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}; last value: {value!r}")
        time.sleep(POLL_INTERVAL_S)


# ---------------------------------------------------------------------------------------------
# upload servlet helpers (plain HTTP: the servlet is multipart, not SOAP)


def auth_part(user: str, password: str, extra: str = "") -> str:
    return (
        f'<authHeader xmlns="{NS_2014}"><user>{user}</user><password>{password}</password>'
        f"<appName>zeep-interop</appName><appVersion>1</appVersion>{extra}</authHeader>"
    )


def upload_params_part(
    company_handle: str,
    *,
    job_name: str | None = None,
    job_handle: str | None = None,
    end_job: bool = True,
    dest_folder: str | None = None,
    with_options: bool = True,
) -> str:
    parts = [f"<companyHandle>{company_handle}</companyHandle>"]
    if job_name is not None:
        parts.append(f"<jobName>{job_name}</jobName>")
    if job_handle is not None:
        parts.append(f"<jobHandle>{job_handle}</jobHandle>")
    if dest_folder is not None:
        parts.append(f"<destFolder>{dest_folder}</destFolder>")
    parts.append(f"<endJob>{'true' if end_job else 'false'}</endJob>")
    if with_options:
        parts.append(
            "<uploadParams><overwrite>true</overwrite><readyForPublish>true</readyForPublish>"
            "<preservePublishState>false</preservePublishState><createMask>false</createMask>"
            "<emailSetting>None</emailSetting></uploadParams>"
        )
    return f'<uploadPostParam xmlns="{NS_2014}">{"".join(parts)}</uploadPostParam>'


def post_upload(server: Server, auth: str, params: str, files: dict[str, tuple[str, bytes]]) -> requests.Response:
    form = {
        "auth": (None, auth, "text/plain; charset=US-ASCII"),
        "uploadParams": (None, params, "text/plain; charset=US-ASCII"),
    }
    for field, (filename, data) in files.items():
        form[field] = (filename, data, "application/octet-stream")
    return requests.post(server.upload_url, files=form, timeout=60)


def parse_xml(body: bytes) -> etree._Element:
    return etree.fromstring(body, parser=etree.XMLParser(resolve_entities=False, no_network=True))


# ---------------------------------------------------------------------------------------------
# image bytes


def make_jpeg(width: int = 40, height: int = 30, seed: int = 0) -> bytes:
    """A small but real baseline JPEG (a colour gradient, so it is not trivially compressible)."""
    img = Image.new("RGB", (width, height))
    img.putdata(
        [((x * 255) // width, (y * 255) // height, (seed * 37 + x * y) % 256) for y in range(height) for x in range(width)]
    )
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    data = buf.getvalue()
    assert data[:3] == b"\xff\xd8\xff" and data[-2:] == b"\xff\xd9"
    return data


def make_png(width: int = 8, height: int = 8) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (0, 90, 200)).save(buf, "PNG")
    return buf.getvalue()
