"""Spreadsheet setup for the UNO bridge: sheet selection, page style (paper, orientation, fit), and the
printed area (TrimPolicy, MaxSheetRow / MaxSheetColumn). Loaded by uno-bridge.py from its own folder.
"""
import uno

# Last row and column index of a sheet in LibreOffice 7.4 (1,048,576 rows; 16,384 columns).
SHEET_MAX_ROW = 1048575
SHEET_MAX_COL = 16383

PAPER_SIZES = {"A0": (84100, 118900), "A2": (42000, 59400), "A4": (21000, 29700)}


class SheetRangeError(Exception):
    """The requested first sheet is outside the workbook."""


def setup_calc(doc, req):
    """Hides the sheets not selected, applies page setup, returns [{index, name, pages}] per sheet.

    A read-only document refuses changes: without "editable" every visible sheet is reported as is.
    """
    sheets = doc.Sheets
    visible = [sheets.getByIndex(i) for i in range(sheets.Count) if sheets.getByIndex(i).IsVisible]
    editable = bool(req.get("editable"))
    sel = (req.get("sheets") or {}) if editable else {}
    start = int(sel.get("start", 1))
    count = sel.get("count")
    if start < 1 or start > len(visible):
        raise SheetRangeError("SheetIndex %d is outside the workbook's %d sheets." % (start, len(visible)))
    chosen = visible[start - 1:] if not count or count < 0 else visible[start - 1:start - 1 + int(count)]
    chosen_names = {sheet.Name for sheet in chosen}
    for sheet in visible:
        if sheet.Name not in chosen_names:
            sheet.IsVisible = False
    calc = (req.get("calc") or {}) if editable else {}
    styles = doc.StyleFamilies.getByName("PageStyles")
    out = []
    for n, sheet in enumerate(chosen):
        if editable:
            apply_page_style(styles.getByName(sheet.PageStyle), calc, req.get("showComments", False))
            apply_print_area(sheet, calc)
        pages = 1 if calc.get("singlePageSheets") else doc.getRendererCount(sheet, ())
        out.append({"index": start + n, "name": sheet.Name, "pages": pages})
    return out


def apply_page_style(style, calc, comments):
    paper = calc.get("paperSize")
    if paper in PAPER_SIZES:
        w, h = PAPER_SIZES[paper]
        landscape = bool(calc.get("landscape"))
        style.IsLandscape = landscape
        style.Width, style.Height = (h, w) if landscape else (w, h)
    elif calc.get("landscape") and not style.IsLandscape:
        style.IsLandscape = True
        style.Width, style.Height = style.Height, style.Width
    fit_w, fit_h = calc.get("fitToWidth"), calc.get("fitToHeight")
    if fit_w or fit_h:
        style.ScaleToPagesX = 1 if fit_w else 0
        style.ScaleToPagesY = 1 if fit_h else 0
    if comments:
        style.PrintAnnotations = True


def apply_print_area(sheet, calc):
    """MaxSheetRow / MaxSheetColumn and TrimPolicy through the sheet's print area.

    LibreOffice's own print range already leaves out empty cells and runs of repeated styles (what
    IMM's TrimPolicy deletes by default), so nothing is set unless asked: keeping empty styled cells
    prints the whole used area; a row or column limit cuts the content area (drawings included).
    """
    max_rows, max_cols = calc.get("maxRows"), calc.get("maxCols")
    trim = calc.get("trim") or {}
    keep_styled = not trim.get("emptyCells", True) or not trim.get("repeatedStyles", True)
    if not (max_rows or max_cols or keep_styled):
        return
    existing = sheet.getPrintAreas()
    if existing:
        a = existing[0]
        start_col, start_row, end_col, end_row = a.StartColumn, a.StartRow, a.EndColumn, a.EndRow
    else:
        area = used_area(sheet) if keep_styled else content_area(sheet)
        if area is None:
            return
        start_col, start_row = 0, 0
        end_col, end_row = area
    if max_rows:
        end_row = min(end_row, start_row + int(max_rows) - 1)
    if max_cols:
        end_col = min(end_col, start_col + int(max_cols) - 1)
    addr = uno.createUnoStruct("com.sun.star.table.CellRangeAddress")
    addr.Sheet = sheet.RangeAddress.Sheet
    addr.StartColumn, addr.StartRow, addr.EndColumn, addr.EndRow = start_col, start_row, end_col, end_row
    sheet.setPrintAreas((addr,))


def used_area(sheet):
    """Content plus cells with visible formatting (background, borders): IMM's untrimmed area.

    Formatting that runs to the last row or column of the sheet (a whole column styled) is left out:
    printing a million empty rows is never what was meant.
    """
    extent = content_area(sheet) or (-1, -1)
    end_col, end_row = extent
    ranges = sheet.getUniqueCellFormatRanges()
    for i in range(ranges.Count):
        fmt = ranges.getByIndex(i)
        if fmt.CellBackColor == -1 and not any(
            getattr(fmt, side).OuterLineWidth for side in ("TopBorder", "BottomBorder", "LeftBorder", "RightBorder")
        ):
            continue
        for a in fmt.getRangeAddresses():
            if a.EndRow >= SHEET_MAX_ROW or a.EndColumn >= SHEET_MAX_COL:
                continue
            end_col, end_row = max(end_col, a.EndColumn), max(end_row, a.EndRow)
    if end_row < 0:
        return None
    return (end_col, end_row)


def content_area(sheet):
    """Last column/row holding a value, text, formula or note, or the anchor cell of a drawing."""
    return cells_extent(sheet, 1 | 2 | 4 | 8 | 16)  # VALUE | DATETIME | STRING | ANNOTATION | FORMULA


def cells_extent(sheet, flags):
    end_col = end_row = -1
    for a in sheet.queryContentCells(flags).getRangeAddresses():
        end_col, end_row = max(end_col, a.EndColumn), max(end_row, a.EndRow)
    page = sheet.DrawPage
    for k in range(page.Count):
        anchor = getattr(page.getByIndex(k), "Anchor", None)
        cell = getattr(anchor, "CellAddress", None)
        if cell is not None:
            end_col, end_row = max(end_col, cell.Column), max(end_row, cell.Row)
    if end_row < 0:
        return None
    return (end_col, end_row)
