// A YAML stream of policy documents, read with bounds: the whole text, each document, the number of documents and
// the nesting depth are limited before anything large is built. Nesting is measured on the concrete syntax tree,
// before composition, because composing a deeply nested flow collection exhausts the stack (and, with the library's
// error recovery, memory). Scalars are read with the YAML 1.2 core schema whatever the document says, so "yes" and
// "2024-01-01" stay strings.
import { Composer, isScalar, LineCounter, Parser, type CST, type Document } from 'yaml';
import { failAt, type DocumentSource, type Spot } from './failure.js';
import { yamlTree, type YamlNode } from './yaml-tree.js';

export const DOCUMENT_LIMITS = {
  /**
   * UTF-8 bytes of the whole text. Policies are kilobytes; the YAML parser reads hostile text (a flow sequence of
   * a million short items) at well under a megabyte a second, so the text as a whole is kept small too.
   */
  maxStreamBytes: 4 * 1024 * 1024,
  /** UTF-8 bytes of one document. */
  maxDocumentBytes: 1024 * 1024,
  maxDocuments: 100,
  /** Nested mappings and sequences; a policy needs about eight. */
  maxDepth: 32,
} as const;

export interface StreamDocument {
  /** The 0-based index of the document in the stream (empty documents count). */
  readonly index: number;
  readonly root: YamlNode;
}

/** The non-empty documents of `text`. Errors: POLICY_INVALID for YAML syntax errors and broken bounds. */
export function readYamlStream(text: string, origin?: string): StreamDocument[] {
  const start = (document: number): Spot => ({ at: { line: 1, column: 1 }, field: '', source: sourceOf(document, origin) });
  if (typeof text !== 'string') failAt(start(0), 'a policy document must be text');
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > DOCUMENT_LIMITS.maxStreamBytes) failAt(start(0), `the text is ${bytes} bytes, over the limit of ${DOCUMENT_LIMITS.maxStreamBytes}`);

  const lines = new LineCounter();
  const spotAt = (offset: number, document: number): Spot => {
    const { line, col } = lines.linePos(offset);
    return { at: { line, column: col }, field: '', source: sourceOf(document, origin) };
  };
  const composer = new Composer({ schema: 'core', version: '1.2', merge: false, uniqueKeys: false, strict: true, prettyErrors: false });
  const out: StreamDocument[] = [];
  let seen = 0;
  let composed = 0;
  const take = (doc: Document.Parsed): void => {
    const index = composed++;
    const root = documentRoot(doc, text, lines, sourceOf(index, origin), spotAt);
    if (root !== undefined) out.push({ index, root });
  };
  for (const token of new Parser(lines.addNewLine).parse(text)) {
    if (token.type === 'document') {
      if (seen === DOCUMENT_LIMITS.maxDocuments) failAt(spotAt(token.offset, seen), `a policy text holds at most ${DOCUMENT_LIMITS.maxDocuments} documents`);
      const deep = tooDeep(token);
      if (deep !== undefined) failAt(spotAt(deep, seen), `mappings and sequences nest deeper than ${DOCUMENT_LIMITS.maxDepth} levels`);
      seen++;
    }
    for (const doc of composer.next(token)) take(doc);
  }
  for (const doc of composer.end()) take(doc);
  return out;
}

function sourceOf(document: number, origin: string | undefined): DocumentSource {
  return origin === undefined ? { document } : { document, origin };
}

function documentRoot(
  doc: Document.Parsed,
  text: string,
  lines: LineCounter,
  source: DocumentSource,
  spotAt: (offset: number, document: number) => Spot,
): YamlNode | undefined {
  const [from, , to] = doc.range;
  const size = Buffer.byteLength(text.slice(from, to), 'utf8');
  if (size > DOCUMENT_LIMITS.maxDocumentBytes) failAt(spotAt(from, source.document), `the document is ${size} bytes, over the limit of ${DOCUMENT_LIMITS.maxDocumentBytes}`);
  const error = [...doc.errors].sort((a, b) => a.pos[0] - b.pos[0])[0];
  if (error !== undefined) failAt(spotAt(error.pos[0], source.document), `YAML syntax: ${error.message}`, 'POLICY_INVALID', error);
  if (doc.directives.yaml.explicit && doc.directives.yaml.version !== '1.2') {
    failAt(spotAt(from, source.document), `policy documents are YAML 1.2; %YAML ${doc.directives.yaml.version} is not read`);
  }
  const contents = doc.contents;
  if (contents === null) return undefined;
  if (isScalar(contents) && contents.value === null && contents.source === '' && contents.tag === undefined && contents.anchor === undefined) return undefined;
  return yamlTree(contents, lines, source, from);
}

/** The offset of the first collection nested deeper than the limit, if any. Iterative: the input is hostile. */
function tooDeep(document: CST.Document): number | undefined {
  const stack: [CST.Token, number][] = document.value === undefined ? [] : [[document.value, 1]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [token, depth] = next;
    if (token.type !== 'block-map' && token.type !== 'block-seq' && token.type !== 'flow-collection') continue;
    if (depth > DOCUMENT_LIMITS.maxDepth) return token.offset;
    for (const item of token.items) {
      if (item.key !== undefined && item.key !== null) stack.push([item.key, depth + 1]);
      if (item.value !== undefined) stack.push([item.value, depth + 1]);
    }
  }
  return undefined;
}
