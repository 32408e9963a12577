/** Maps what a conversion can throw onto task failures with IMM Codes (spec 6.5). */
import { OfficeError } from '../../engines/office/errors.ts';
import { PdfError } from '../../engines/poppler/errors.ts';
import { AccessDeniedError, BucketNotFoundError, ObjectNotFoundError } from '../../storage/backend.ts';
import { TaskError, TaskErrors } from '../task-error.ts';

const INSTALL =
  'apt-get install -y --no-install-recommends libreoffice-writer-nogui libreoffice-calc-nogui ' +
  'libreoffice-impress-nogui python3-uno poppler-utils fonts-noto-cjk';

/** A TaskError for every known failure; anything else is returned unchanged (it becomes InternalError). */
export function toTaskFailure(err: unknown, sourceType: string): unknown {
  if (err instanceof TaskError) return err;
  if (err instanceof ObjectNotFoundError) return TaskErrors.fileNotExist(err.uri);
  if (err instanceof AccessDeniedError) return TaskErrors.noPermission(err.message);
  if (err instanceof BucketNotFoundError) return TaskErrors.invalidArgument(err.message);
  if (err instanceof OfficeError) return officeFailure(err, sourceType);
  if (err instanceof PdfError) return pdfFailure(err);
  return err;
}

function officeFailure(err: OfficeError, sourceType: string): unknown {
  switch (err.kind) {
    case 'password-required':
      return TaskErrors.invalidArgument('The document is password-protected; give its Password.', err);
    case 'password-wrong':
      return TaskErrors.invalidArgument('The Password does not open the document.', err);
    case 'load-failed':
      return TaskErrors.invalidArgument(
        `The document cannot be opened: it is damaged or not a ${sourceType} file (legacy code OpenFileError).`,
        err,
      );
    case 'not-a-document':
      return TaskErrors.invalidArgument(
        `The file is not a ${sourceType} document (damaged, or the extension is wrong: set SourceType).`,
        err,
      );
    case 'page-range':
    case 'sheet-range':
    case 'unsupported':
      return TaskErrors.invalidArgument(err.message, err);
    case 'export-failed':
      return TaskErrors.invalidArgument('The document could not be converted.', err);
    case 'timeout':
      return TaskErrors.internal(
        `${err.message} Convert large documents in page batches (StartPage/EndPage or Pages). (legacy code ConvertTimeout)`,
        err,
      );
    case 'crashed':
      return TaskErrors.internal(
        'The converter crashed on this document, also when retried on a fresh process.',
        err,
      );
    case 'unavailable':
      return TaskErrors.internal(`LibreOffice is not available on this server (${INSTALL}).`, err);
    case 'busy':
    case 'closed':
      // The server is overloaded or shutting down: worth another attempt later.
      return new TaskError('InternalError', err.message, { cause: err, transient: true });
    case 'aborted':
      return err;
    default:
      return TaskErrors.internal('The conversion failed.', err);
  }
}

function pdfFailure(err: PdfError): unknown {
  switch (err.kind) {
    case 'password-required':
      return TaskErrors.invalidArgument('The PDF is password-protected; give its Password.', err);
    case 'password-wrong':
      return TaskErrors.invalidArgument('The Password does not open the PDF.', err);
    case 'damaged':
      return TaskErrors.invalidArgument('The PDF is damaged or not a PDF file.', err);
    case 'too-large':
      return TaskErrors.limitExceeded(
        'The text of the selected pages is larger than 64 MiB; convert fewer pages.',
      );
    case 'unavailable':
      return TaskErrors.internal(`poppler-utils is not installed on this server (${INSTALL}).`, err);
    case 'aborted':
      return err;
    default:
      return TaskErrors.internal('Rendering the PDF failed.', err);
  }
}
