"""Writer comments for the UNO bridge: taken out of every text document as it loads. Loaded by
uno-bridge.py from its own folder.
"""
import sys
import traceback

import unohelper
from com.sun.star.document import XDocumentEventListener


class WriterComments(unohelper.Base, XDocumentEventListener):
    """Takes the comments out of every text document as soon as it is loaded, before it gets a view.

    A Writer view shows comments in sidebar widgets built from .ui files that the -nogui packages do
    not ship: LibreOffice aborts on any document with comments once its event loop lays them out. The
    event arrives synchronously inside the load call, so nothing has been laid out yet. With ShowComments
    each comment becomes a footnote ("author: text") at its anchor, so it still shows on the page.
    """

    def __init__(self):
        self.show = False

    def documentEventOccured(self, event):
        if event.EventName != "OnLoadFinished":
            return
        try:
            doc = event.Source
            if doc.supportsService("com.sun.star.text.TextDocument"):
                take_out_comments(doc, self.show)
        except Exception:
            traceback.print_exc(file=sys.stderr)

    def disposing(self, event):
        pass


def take_out_comments(doc, as_footnotes):
    fields = doc.getTextFields().createEnumeration()
    comments = []
    while fields.hasMoreElements():
        field = fields.nextElement()
        if field.supportsService("com.sun.star.text.textfield.Annotation"):
            comments.append(field)
    for field in comments:
        if as_footnotes:
            anchor = field.getAnchor()
            note = doc.createInstance("com.sun.star.text.Footnote")
            anchor.getText().insertTextContent(anchor.getEnd(), note, False)
            author = field.Author or "Comment"
            note.setString("%s: %s" % (author, field.Content))
        field.dispose()
