#!/usr/bin/python3
"""Renders r70's HTML reports in headless Chromium through the DevTools protocol and checks them.

For each report: it loads the file, and fails on
  - any console error or warning, uncaught exception, or browser log entry of level error;
  - any request that leaves the file (the report must reference nothing on the network);
  - a chart (svg.chart) none of whose marks (.mark) has a rendered size;
  - a section it must contain that is missing (--sections);
  - a file of 2 MB or more;
  - content wider than a phone's screen (390 CSS px) once laid out at that width;
and writes PNG screenshots: the full page at 1280 px (NAME.png), its first 1,500 px (NAME-top.png) and the
first screen at a phone's width (NAME-phone.png).

Usage: browser_check.py --chromium PATH --out DIR REPORT.html[:section,section...] ...
Exit 0 when every report passes, 1 otherwise (each problem printed), 2 on a setup error.
Debian packages: chromium, python3-websocket.
"""
import argparse
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import websocket  # python3-websocket

MAX_BYTES = 2 * 1024 * 1024


class Browser:
    def __init__(self, chromium):
        self.profile = tempfile.mkdtemp(prefix="r70-chromium-")
        self.proc = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
             "--disable-extensions", "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "--user-data-dir=" + self.profile, "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        url = None
        deadline = time.time() + 60
        while time.time() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                if self.proc.poll() is not None:
                    break
                continue
            m = re.search(r"DevTools listening on (ws://\S+)", line)
            if m:
                url = m.group(1)
                break
        if url is None:
            self.close()
            raise RuntimeError("Chromium did not start its DevTools endpoint")
        self.ws = websocket.create_connection(url, timeout=60)
        self.next_id = 0
        self.events = []

    def send(self, method, params=None, session=None):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        while True:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method, session, timeout=60):
        deadline = time.time() + timeout
        for e in self.events:
            if e.get("method") == method and e.get("sessionId") == session:
                return e
        self.ws.settimeout(5)
        while time.time() < deadline:
            try:
                e = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                continue
            self.events.append(e)
            if e.get("method") == method and e.get("sessionId") == session:
                return e
        raise RuntimeError(f"timed out waiting for {method}")

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


CHECK_CHARTS = """
(() => {
  const empty = [], ids = [];
  document.querySelectorAll('svg.chart').forEach((svg, i) => {
    const figure = svg.closest('figure');
    const name = figure ? figure.id : 'chart ' + i;
    ids.push(name);
    const drawn = Array.from(svg.querySelectorAll('.mark')).some(m => {
      const b = m.getBBox();
      return b.width + b.height > 0 && getComputedStyle(m).visibility !== 'hidden';
    });
    const box = svg.getBoundingClientRect();
    if (!drawn || box.width < 50 || box.height < 50) empty.push(name);
  });
  const sections = Array.from(document.querySelectorAll('section[id]')).map(s => s.id);
  return JSON.stringify({charts: ids.length, empty: empty, sections: sections,
                         width: document.documentElement.scrollWidth, viewport: window.innerWidth,
                         height: document.documentElement.scrollHeight});
})()
"""


def check(browser, path, sections, out_dir):
    problems = []
    size = os.path.getsize(path)
    if size >= MAX_BYTES:
        problems.append(f"{size} bytes, not under 2 MB")
    url = "file://" + os.path.abspath(path)
    target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Runtime", "Log", "Network"):
        browser.send(domain + ".enable", session=session)
    first_event = len(browser.events)
    browser.send("Emulation.setDeviceMetricsOverride", {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False}, session)
    browser.send("Page.navigate", {"url": url}, session)
    browser.wait_for("Page.loadEventFired", session)
    result = json.loads(browser.send("Runtime.evaluate", {"expression": CHECK_CHARTS, "returnByValue": True}, session)["result"]["value"])
    # Screenshots: the whole page at 1280 px, then at a phone's width.
    name = os.path.splitext(os.path.basename(path))[0]
    shot = browser.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True,
                                                   "clip": {"x": 0, "y": 0, "width": 1280, "height": result["height"], "scale": 1}}, session)
    with open(os.path.join(out_dir, name + ".png"), "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    # The first screens alone, for the README.
    shot = browser.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True,
                                                   "clip": {"x": 0, "y": 0, "width": 1280, "height": min(1500, result["height"]), "scale": 1}}, session)
    with open(os.path.join(out_dir, name + "-top.png"), "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    browser.send("Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}, session)
    phone = json.loads(browser.send("Runtime.evaluate", {"expression": CHECK_CHARTS, "returnByValue": True}, session)["result"]["value"])
    shot = browser.send("Page.captureScreenshot", {"format": "png"}, session)
    with open(os.path.join(out_dir, name + "-phone.png"), "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    time.sleep(0.2)
    browser.send("Runtime.evaluate", {"expression": "0"}, session)  # collects events that arrived meanwhile
    for e in browser.events[first_event:]:
        if e.get("sessionId") != session:
            continue
        m, p = e.get("method"), e.get("params", {})
        if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "warning", "assert"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
            problems.append(f"console {p['type']}: {text}")
        elif m == "Runtime.exceptionThrown":
            problems.append("uncaught exception: " + p.get("exceptionDetails", {}).get("text", "") + " "
                            + str(p.get("exceptionDetails", {}).get("exception", {}).get("description", "")))
        elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            problems.append("browser error: " + p["entry"].get("text", ""))
        elif m == "Network.requestWillBeSent":
            requested = p.get("request", {}).get("url", "")
            if requested != url and not requested.startswith("data:"):
                problems.append("requests " + requested)
    if result["charts"] == 0:
        problems.append("no chart at all")
    for c in result["empty"]:
        problems.append(f"empty chart: {c}")
    for s in sections:
        if s not in result["sections"]:
            problems.append(f"missing section: {s}")
    if phone["width"] > phone["viewport"] + 1:
        problems.append(f"wider than a phone: {phone['width']} px laid out in {phone['viewport']} px")
    browser.send("Target.closeTarget", {"targetId": target})
    return problems, result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    parser.add_argument("--out", required=True, help="folder for the screenshots")
    parser.add_argument("reports", nargs="+", help="REPORT.html[:section,section...]")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    try:
        browser = Browser(args.chromium)
    except Exception as e:
        print(f"browser_check: cannot start Chromium ({e})", file=sys.stderr)
        return 2
    failed = 0
    try:
        for spec in args.reports:
            path, _, wanted = spec.partition(":")
            sections = [s for s in wanted.split(",") if s]
            problems, result = check(browser, path, sections, args.out)
            status = "ok" if not problems else "FAILED"
            print(f"{status}: {path}: {os.path.getsize(path)} bytes, {result['charts']} charts, sections {', '.join(result['sections'])}")
            for p in problems:
                print(f"  {p}")
            failed += bool(problems)
    finally:
        browser.close()
    print(f"{len(args.reports) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
