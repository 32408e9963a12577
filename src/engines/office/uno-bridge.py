#!/usr/bin/python3
"""JSON-lines bridge between openimm and one long-lived LibreOffice process, over UNO.

Run with the system interpreter (/usr/bin/python3): python3-uno is importable only there.
Arguments: --pipe NAME (the soffice --accept pipe), --pgid N (soffice's process group, killed when
stdin closes so that a dead server never leaves LibreOffice behind), --connect-timeout SECONDS.

Protocol: after connecting it prints {"event": "ready"}; then each stdin line is one request
{"id": n, "op": "convert" | "ping" | "shutdown", ...} answered by one stdout line
{"id": n, "ok": true, "result": {...}} or {"id": n, "ok": false, "error": {"kind": k, "message": m}}.
One request at a time: the caller runs one job per process.
"""
import importlib.util
import json
import os
import signal
import sys
import time
import traceback

import uno
import unohelper
from com.sun.star.beans import PropertyValue
from com.sun.star.task import XInteractionHandler

# Loaded with MacroExecutionMode NEVER_EXECUTE and UpdateDocMode NO_UPDATE: no macros, no link updates.
NEVER_EXECUTE = 0
NO_UPDATE = 0

EXPORT_FILTERS = {
    "pdf": {
        "writer": "writer_pdf_Export",
        "web": "writer_web_pdf_Export",
        "calc": "calc_pdf_Export",
        "impress": "impress_pdf_Export",
        "draw": "draw_pdf_Export",
    },
    # Document formats: used to produce test fixtures and for format-to-format conversions.
    "docx": {"writer": "MS Word 2007 XML", "web": "MS Word 2007 XML"},
    "doc": {"writer": "MS Word 97", "web": "MS Word 97"},
    "odt": {"writer": "writer8", "web": "writer8"},
    "rtf": {"writer": "Rich Text Format"},
    "xlsx": {"calc": "Calc MS Excel 2007 XML"},
    "xls": {"calc": "MS Excel 97"},
    "ods": {"calc": "calc8"},
    "pptx": {"impress": "Impress MS PowerPoint 2007 XML"},
    "ppt": {"impress": "MS PowerPoint 97"},
    "odp": {"impress": "impress8"},
}

# Import filters that accept any bytes: a non-text source that lands on one of them is not a document.
TEXT_IMPORT_FILTERS = {"Text", "Text (encoded)", "Text - txt - csv (StarCalc)", "HTML (StarWriter)",
                       "HTML (StarCalc)", "HTML Document", "writerglobal8_HTML"}


def load_sibling(name):
    """Imports a helper module that sits beside this script (kebab-case names are not importable)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name)
    spec = importlib.util.spec_from_file_location(name.replace("-", "_")[:-3], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sheets = load_sibling("uno-sheets.py")
comments = load_sibling("uno-comments.py")


class BridgeError(Exception):
    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind
        self.message = message


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def props_any(items):
    return uno.Any("[]com.sun.star.beans.PropertyValue", tuple(prop(k, v) for k, v in items.items()))


class Interactions(unohelper.Base, XInteractionHandler):
    """Answers every interaction with Abort and remembers whether a password was asked for.

    pyuno on Python 3.11 cannot convert the request exception (getRequest fails), so the
    password case is recognised by its XInteractionPassword continuation instead.
    """

    def __init__(self):
        self.password_requested = False

    def handle(self, request):
        try:
            continuations = request.getContinuations()
            password_type = uno.getTypeByName("com.sun.star.task.XInteractionPassword")
            abort_type = uno.getTypeByName("com.sun.star.task.XInteractionAbort")
            if any(c.queryInterface(password_type) for c in continuations):
                self.password_requested = True
            for c in continuations:
                if c.queryInterface(abort_type):
                    c.select()
                    return
        except Exception:
            traceback.print_exc(file=sys.stderr)


class Bridge:
    def __init__(self, pipe, connect_timeout):
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        url = "uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe
        deadline = time.monotonic() + connect_timeout
        while True:
            try:
                self.ctx = resolver.resolve(url)
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        smgr = self.ctx.ServiceManager
        self.desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", self.ctx)
        self.comments = comments.WriterComments()
        events = self.ctx.getValueByName("/singletons/com.sun.star.frame.theGlobalEventBroadcaster")
        events.addDocumentEventListener(self.comments)

    # ---- loading -------------------------------------------------------------------------------

    def load(self, req):
        url = uno.systemPathToFileUrl(req["input"])
        handler = Interactions()
        args = {
            "Hidden": True,
            # Spreadsheets are set up (sheets hidden, page styles) before export, which a read-only
            # document refuses; the source file is never written back either way (export only).
            "ReadOnly": not req.get("editable", False),
            "MacroExecutionMode": NEVER_EXECUTE,
            "UpdateDocMode": NO_UPDATE,
            "InteractionHandler": handler,
        }
        password = req.get("password")
        if password:
            args["Password"] = password
        if req.get("importFilter"):
            args["FilterName"] = req["importFilter"]
        if req.get("importOptions"):
            args["FilterOptions"] = req["importOptions"]
        try:
            doc = self.desktop.loadComponentFromURL(url, "_blank", 0, tuple(prop(k, v) for k, v in args.items()))
        except Exception as e:
            if is_disconnect(e):
                raise
            doc = None
        if doc is None:
            raise self.load_failure(req, handler)
        return doc

    def load_failure(self, req, handler):
        if handler.password_requested:
            if req.get("password"):
                return BridgeError("password-wrong", "The password is wrong for this document.")
            return BridgeError("password-required", "The document is password-protected.")
        if req.get("password"):
            # Some formats report a wrong password as a generic error: probe without one.
            probe = Interactions()
            args = (prop("Hidden", True), prop("ReadOnly", True), prop("MacroExecutionMode", NEVER_EXECUTE),
                    prop("InteractionHandler", probe))
            try:
                doc = self.desktop.loadComponentFromURL(uno.systemPathToFileUrl(req["input"]), "_blank", 0, args)
                if doc is not None:
                    doc.close(True)
            except Exception as e:
                if is_disconnect(e):
                    raise
            if probe.password_requested:
                return BridgeError("password-wrong", "The password is wrong for this document.")
        return BridgeError("load-failed", "The document cannot be opened: it is damaged or not in a supported format.")

    # ---- conversion ----------------------------------------------------------------------------

    def convert(self, req):
        self.comments.show = bool(req.get("showComments"))
        doc = self.load(req)
        try:
            filt = import_filter(doc)
            if filt in TEXT_IMPORT_FILTERS and not req.get("allowTextImport", False):
                raise BridgeError("not-a-document", "The file is not a document of its declared type.")
            family = doc_family(doc)
            result = {"family": family, "importFilter": filt}
            filter_data = {}
            if family == "calc":
                try:
                    result["sheets"] = sheets.setup_calc(doc, req)
                except sheets.SheetRangeError as e:
                    raise BridgeError("sheet-range", str(e))
                result["pageCount"] = sum(s["pages"] for s in result["sheets"])
                if (req.get("calc") or {}).get("singlePageSheets"):
                    filter_data["SinglePageSheets"] = True
            else:
                total = page_count(doc, family)
                result["pageCount"] = total
                pages = resolve_pages(req.get("pages"), total)
                if pages is not None:
                    if not pages:
                        raise BridgeError("page-range", "The page selection is outside the document's %d pages." % total)
                    filter_data["PageRange"] = page_range_string(pages)
                    result["exportedPages"] = pages
            if family == "impress":
                # Slide numbers are page numbers: hidden slides are exported too, so they stay aligned.
                filter_data["ExportHiddenSlides"] = True
            if req.get("showComments") and family not in ("writer", "web"):
                filter_data["ExportNotes"] = True
            self.store(doc, req, family, filter_data)
            return result
        finally:
            close_quietly(doc)

    def store(self, doc, req, family, filter_data):
        fmt = req.get("format", "pdf")
        filters = EXPORT_FILTERS.get(fmt)
        if filters is None or family not in filters:
            raise BridgeError("unsupported", "Cannot write %s from a %s document." % (fmt, family))
        args = {"FilterName": filters[family], "Overwrite": True}
        if fmt == "pdf" and filter_data:
            args["FilterData"] = props_any(filter_data)
        if req.get("storePassword"):
            args["Password"] = req["storePassword"]
        out_url = uno.systemPathToFileUrl(req["output"])
        try:
            doc.storeToURL(out_url, tuple(prop(k, v) for k, v in args.items()))
        except Exception as e:
            if is_disconnect(e):
                raise
            raise BridgeError("export-failed", "The document could not be exported.")


def import_filter(doc):
    for a in doc.getArgs():
        if a.Name == "FilterName":
            return a.Value
    return ""


def doc_family(doc):
    if doc.supportsService("com.sun.star.sheet.SpreadsheetDocument"):
        return "calc"
    if doc.supportsService("com.sun.star.presentation.PresentationDocument"):
        return "impress"
    if doc.supportsService("com.sun.star.drawing.DrawingDocument"):
        return "draw"
    if doc.supportsService("com.sun.star.text.WebDocument"):
        return "web"
    if doc.supportsService("com.sun.star.text.TextDocument"):
        return "writer"
    raise BridgeError("unsupported", "The document type is not supported.")


def page_count(doc, family):
    if family in ("impress", "draw"):
        return doc.getDrawPages().getCount()
    return doc.getRendererCount(doc, ())


def resolve_pages(ranges, total):
    """[[start, end], ...] (end -1 = last page) -> sorted unique page numbers within 1..total, or None."""
    if not ranges:
        return None
    pages = set()
    for start, end in ranges:
        last = total if end == -1 else min(end, total)
        for p in range(max(1, start), last + 1):
            pages.add(p)
    return sorted(pages)


def page_range_string(pages):
    runs = []
    start = prev = pages[0]
    for p in pages[1:]:
        if p == prev + 1:
            prev = p
            continue
        runs.append((start, prev))
        start = prev = p
    runs.append((start, prev))
    return ",".join(str(a) if a == b else "%d-%d" % (a, b) for a, b in runs)


# ---- plumbing --------------------------------------------------------------------------------------


def is_disconnect(e):
    name = type(e).__name__
    text = str(e)
    return name == "DisposedException" or "Binary URP bridge" in text or "disposed" in text.lower()


def close_quietly(doc):
    try:
        doc.close(True)
    except Exception as e:
        if is_disconnect(e):
            raise


def send(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def parse_args(argv):
    opts = {"pipe": None, "pgid": 0, "connect_timeout": 60.0}
    i = 0
    while i < len(argv):
        key, value = argv[i], argv[i + 1] if i + 1 < len(argv) else None
        if key == "--pipe":
            opts["pipe"] = value
        elif key == "--pgid":
            opts["pgid"] = int(value)
        elif key == "--connect-timeout":
            opts["connect_timeout"] = float(value)
        i += 2
    return opts


def kill_office(pgid):
    if pgid > 0:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except OSError:
            pass


def serve(bridge, pgid):
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        rid = req.get("id")
        op = req.get("op")
        try:
            if op == "ping":
                send({"id": rid, "ok": True, "result": {}})
            elif op == "shutdown":
                send({"id": rid, "ok": True, "result": {}})
                try:
                    bridge.desktop.terminate()
                except Exception:
                    pass
                return
            elif op == "convert":
                send({"id": rid, "ok": True, "result": bridge.convert(req)})
            else:
                send({"id": rid, "ok": False, "error": {"kind": "bad-request", "message": "unknown op"}})
        except BridgeError as e:
            send({"id": rid, "ok": False, "error": {"kind": e.kind, "message": e.message}})
        except Exception as e:
            kind = "disconnected" if is_disconnect(e) else "internal"
            traceback.print_exc(file=sys.stderr)
            send({"id": rid, "ok": False, "error": {"kind": kind, "message": type(e).__name__}})
            if kind == "disconnected":
                return
    # stdin closed: the server is gone; take LibreOffice down with us.
    kill_office(pgid)


def main():
    opts = parse_args(sys.argv[1:])
    try:
        bridge = Bridge(opts["pipe"], opts["connect_timeout"])
    except Exception as e:
        send({"event": "failed", "message": "%s: %s" % (type(e).__name__, e)})
        kill_office(opts["pgid"])
        sys.exit(2)
    send({"event": "ready"})
    serve(bridge, opts["pgid"])


if __name__ == "__main__":
    main()
