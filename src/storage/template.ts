/**
 * TargetURI templates (spec section 5). `compileTemplate` refuses at create time what can be known
 * then: syntax, unknown variables, a bucket that is neither literal nor `{bucket}`, and literal
 * `.`/`..`/empty path segments. `render` checks the rendered URI again, since variable values (tags,
 * source keys) are only known later: nothing it returns can point outside the intended bucket.
 */
import { Errors, ImmError } from '../protocol/errors.ts';
import { isValidBucketName, keyProblem, parseOssUri } from './oss-uri.ts';
import { TemplateSyntaxError, type TemplateToken, tokenizeTemplate } from './template-parse.ts';

export const PUBLIC_TEMPLATE_VARS = [
  'bucket',
  'key',
  'dirname',
  'barename',
  'basename',
  'ext',
  'year',
  'mon',
  'day',
  'hour',
  'min',
  'sec',
  't_year',
  't_mon',
  't_day',
  't_hour',
  't_min',
  't_sec',
] as const;

export interface CompiledTemplate {
  source: string;
  /** Distinct variable names in order of first use (`tags.NAME` included as such). */
  variables: string[];
  /** Expands the template; throws ImmError InvalidArgument when the result is not a safe OSS URI. */
  render(vars: Record<string, string>): string;
}

export interface CompileOptions {
  /** The request parameter holding the template, named in error messages. */
  paramName: string;
  /** Variables the operation adds (`index`, `autoext`, `sheetname`…). */
  operationVars?: string[];
}

const SCHEME = 'oss://';
/** Stands for a variable while checking the literal structure; cannot appear in a template. */
const HOLE = '\u0000';

export function compileTemplate(template: string, opts: CompileOptions): CompiledTemplate {
  const fail = (detail: string) => Errors.invalidParameter(opts.paramName, detail);
  let tokens: TemplateToken[];
  try {
    tokens = tokenizeTemplate(template);
  } catch (err) {
    if (err instanceof TemplateSyntaxError) throw fail(err.detail);
    throw err;
  }
  const known = new Set<string>([...PUBLIC_TEMPLATE_VARS, ...(opts.operationVars ?? [])]);
  const variables: string[] = [];
  for (const t of tokens) {
    if (t.kind !== 'var') continue;
    if (!t.name.startsWith('tags.') && !known.has(t.name)) {
      throw fail(
        `Unknown template variable {${t.name}}; known: ${[...known].map((v) => `{${v}}`).join(', ')}, {tags.NAME}.`,
      );
    }
    if (!variables.includes(t.name)) variables.push(t.name);
  }
  const { bucketIsVar } = checkStructure(tokens, fail);
  return {
    source: template,
    variables,
    render(vars) {
      if (bucketIsVar && !isValidBucketName(vars.bucket ?? '')) {
        throw fail(`The value of {bucket} is not a valid bucket name.`);
      }
      return renderTokens(tokens, vars, opts.paramName);
    },
  };
}

/** The literal skeleton: scheme, a literal or `{bucket}` bucket, and no unsafe literal segments. */
function checkStructure(
  tokens: TemplateToken[],
  fail: (detail: string) => ImmError,
): { bucketIsVar: boolean } {
  const skeleton = tokens.map((t) => (t.kind === 'text' ? t.value : HOLE)).join('');
  if (!skeleton.startsWith(SCHEME)) throw fail('The template must start with "oss://".');
  const rest = skeleton.slice(SCHEME.length);
  const slash = rest.indexOf('/');
  const bucketPart = slash < 0 ? rest : rest.slice(0, slash);
  const bucketIsVar = bucketPart === HOLE && firstVarName(tokens) === 'bucket';
  if (!bucketIsVar) {
    if (bucketPart.includes(HOLE)) throw fail('The bucket must be a literal name or exactly {bucket}.');
    if (bucketPart === '') throw fail('The template names no bucket.');
    if (bucketPart.includes('.')) throw fail('The template must name a bucket, not an endpoint.');
    if (!isValidBucketName(bucketPart)) throw fail(`The bucket name "${bucketPart}" is not valid.`);
  }
  if (slash < 0) return { bucketIsVar };
  const keySkeleton = rest.slice(slash + 1);
  const segments = keySkeleton.split('/');
  if (segments[segments.length - 1] === '') segments.pop();
  for (const segment of segments) {
    if (segment === '')
      throw fail('The template must not contain empty path segments ("//") or a key starting with "/".');
    if (segment === '.' || segment === '..')
      throw fail(`The template must not contain "${segment}" path segments.`);
  }
  const literalProblem = keyProblem(keySkeleton.replaceAll(HOLE, 'x'));
  if (literalProblem) throw fail(literalProblem);
  return { bucketIsVar };
}

function firstVarName(tokens: TemplateToken[]): string | undefined {
  const first = tokens.find((t) => t.kind === 'var');
  return first?.kind === 'var' ? first.name : undefined;
}

function renderTokens(tokens: TemplateToken[], vars: Record<string, string>, paramName: string): string {
  let out = '';
  for (const t of tokens) {
    if (t.kind === 'text') {
      out += t.value;
      continue;
    }
    const value = vars[t.name];
    if (value === undefined) {
      if (t.name.startsWith('tags.')) {
        throw Errors.invalidParameter(
          paramName,
          `The template uses {${t.name}} but the request Tags have no key "${t.name.slice(5)}".`,
        );
      }
      throw new Error(`The template variable {${t.name}} was given no value.`);
    }
    out += value;
  }
  return normalizeRendered(out, paramName);
}

/**
 * Empty variables (a source at the bucket root has an empty `{dirname}`) leave `//` or a leading `/`
 * in the key; literal ones were refused at compile time, so collapsing them only undoes empty values.
 */
function normalizeRendered(uri: string, paramName: string): string {
  const rest = uri.slice(SCHEME.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  if (slash < 0) return parseAndFormat(uri, paramName);
  const key = rest
    .slice(slash + 1)
    .replace(/\/{2,}/g, '/')
    .replace(/^\//, '');
  return parseAndFormat(`${SCHEME}${bucket}/${key}`, paramName);
}

function parseAndFormat(uri: string, paramName: string): string {
  try {
    parseOssUri(uri, paramName);
  } catch (err) {
    if (err instanceof ImmError) {
      throw Errors.invalidParameter(paramName, `The template renders to an unusable URI: ${err.message}`);
    }
    throw err;
  }
  return uri;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function timeVars(prefix: string, d: Date): Record<string, string> {
  return {
    [`${prefix}year`]: pad(d.getUTCFullYear(), 4),
    [`${prefix}mon`]: pad(d.getUTCMonth() + 1),
    [`${prefix}day`]: pad(d.getUTCDate()),
    [`${prefix}hour`]: pad(d.getUTCHours()),
    [`${prefix}min`]: pad(d.getUTCMinutes()),
    [`${prefix}sec`]: pad(d.getUTCSeconds()),
  };
}

/**
 * The public variables for one source object. Times are UTC (spec 10 #12). When the source's
 * Last-Modified is unknown (not yet HEAD-ed), the task creation time stands in for it.
 */
export function sourceTemplateVars(
  source: { uri: string; lastModified?: Date },
  createdAt: Date,
  tags: Record<string, string>,
): Record<string, string> {
  const { bucket, key } = parseOssUri(source.uri);
  const cut = key.lastIndexOf('/');
  const dirname = cut < 0 ? '' : key.slice(0, cut);
  const basename = key.slice(cut + 1);
  // Like os.path.splitext: a leading dot starts a name, not an extension.
  const dot = basename.lastIndexOf('.');
  const hasExt = dot > 0;
  const vars: Record<string, string> = {
    bucket,
    key,
    dirname,
    barename: hasExt ? basename.slice(0, dot) : basename,
    basename,
    ext: hasExt ? basename.slice(dot + 1) : '',
    ...timeVars('', source.lastModified ?? createdAt),
    ...timeVars('t_', createdAt),
  };
  for (const [name, value] of Object.entries(tags)) vars[`tags.${name}`] = String(value);
  return vars;
}
