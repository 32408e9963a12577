/** What one conversion asks of LibreOffice and what it reports back (the bridge's JSON, camelCase). */

export type DocumentFamily = 'writer' | 'web' | 'calc' | 'impress' | 'draw';

/** `pdf` for conversions; the document formats serve fixtures and format-to-format conversions. */
export type OfficeOutputFormat =
  | 'pdf'
  | 'docx'
  | 'doc'
  | 'odt'
  | 'rtf'
  | 'xlsx'
  | 'xls'
  | 'ods'
  | 'pptx'
  | 'ppt'
  | 'odp';

export interface CalcPageSetup {
  /** Every sheet on one page (LibreOffice's `SinglePageSheets`): one long image per sheet. */
  singlePageSheets?: boolean;
  fitToWidth?: boolean;
  fitToHeight?: boolean;
  paperSize?: 'A0' | 'A2' | 'A4';
  landscape?: boolean;
  maxRows?: number;
  maxCols?: number;
  /**
   * TrimPolicy as "may delete" (IMM's `Disable…` flags inverted). LibreOffice already leaves out empty cells
   * and repeated styles; `emptyCells` or `repeatedStyles` false prints the whole used area instead.
   */
  trim?: { emptyCells?: boolean; repeatedStyles?: boolean; unusedPictures?: boolean; unusedShapes?: boolean };
}

export interface OfficeConvertRequest {
  /** Local path of the source document (in the task's scratch folder). */
  input: string;
  /** Local path to write; overwritten. */
  output: string;
  format?: OfficeOutputFormat;
  /** Password to open the document. */
  password?: string;
  /** Password to protect the written document (fixtures). */
  storePassword?: string;
  /** LibreOffice import filter and its options, for sources whose bytes do not say what they are (CSV, TXT). */
  importFilter?: string;
  importOptions?: string;
  /** Accept a plain-text import (the source is declared text or CSV). */
  allowTextImport?: boolean;
  /** Load writable: spreadsheets need it for sheet selection and page setup. */
  editable?: boolean;
  /** Page selection for text and presentation documents: `[start, end]` runs, end -1 = last page. */
  pages?: Array<[number, number]>;
  /** Spreadsheet sheet selection: 1-based first visible sheet, count (absent or -1 = to the last). */
  sheets?: { start: number; count?: number };
  calc?: CalcPageSetup;
  showComments?: boolean;
}

export interface SheetInfo {
  /** 1-based index among the workbook's visible sheets. */
  index: number;
  name: string;
  /** Pages this sheet fills in the written PDF. */
  pages: number;
}

export interface OfficeConvertResult {
  family: DocumentFamily;
  importFilter: string;
  /** Pages of the document (spreadsheets: of the selected sheets). */
  pageCount: number;
  /** The document's page numbers written, in order, when a page selection was given. */
  exportedPages?: number[];
  sheets?: SheetInfo[];
}

export interface OfficeJobOptions {
  signal?: AbortSignal;
  /** Overrides the pool's `jobTimeoutMs` (a lower value wins). */
  timeoutMs?: number;
  /** Called when a process takes the job (again on a retry): the wait in the queue is over. */
  onStart?: () => void;
}
