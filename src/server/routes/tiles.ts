// The C2SP tlog-tiles read API (https://c2sp.org/tlog-tiles): the checkpoint, hash tiles and entry bundles, at
// the paths the spec lays out below the log's prefix (here /log). Full tiles never change and are cached for ever;
// partial tiles and the checkpoint change as the log grows.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ProvenantError } from '../../core/errors.js';
import { parseTilePath } from '../../formats/tlog-tiles.js';
import type { TransparencyLog } from '../../log/transparency-log.js';
import { IMMUTABLE, REVALIDATE, SHORT_LIVED } from './cache-control.js';

const TAGS = ['tlog-tiles'];
const OCTETS = 'application/octet-stream';

const binary = (description: string) => ({ description, content: { [OCTETS]: { schema: { type: 'string', contentEncoding: 'binary' } } } });

export async function tileRoutes(app: FastifyInstance, opts: { log: TransparencyLog }): Promise<void> {
  const { log } = opts;

  app.get('/log/checkpoint', {
    config: { access: 'read' },
    schema: {
      tags: TAGS,
      summary: 'The latest checkpoint (C2SP signed note).',
      response: { 200: { description: 'Checkpoint', content: { 'text/plain; charset=utf-8': { schema: { type: 'string' } } } } },
    },
    handler: async (_request, reply) =>
      reply.type('text/plain; charset=utf-8').header('cache-control', SHORT_LIVED).send(await log.checkpointNote()),
  });

  app.get<{ Params: { '*': string } }>('/log/tile/*', {
    config: { access: 'read' },
    schema: {
      tags: TAGS,
      summary: 'A hash tile <L>/<N>[.p/<W>] or an entry bundle entries/<N>[.p/<W>]; N is split in x-prefixed groups of three digits.',
      description:
        'Paths as C2SP tlog-tiles defines them, e.g. /log/tile/0/x001/x234/067.p/8 or /log/tile/entries/000. A full tile (256 entries) is immutable; a partial one (.p/W) is not cached.',
      response: { 200: binary('Tile bytes: concatenated 32-byte hashes, or the entry bundle.') },
    },
    handler: async (request, reply) => {
      const tile = parseTilePath(request.params['*']);
      const data =
        tile.kind === 'entries'
          ? await log.entryBundle(tile.index, tile.width)
          : await log.tile(tile.level, tile.index, tile.width);
      if (data === null) {
        throw new ProvenantError('TILE_NOT_FOUND', `the log has no tile ${request.params['*']} (yet)`, { details: { path: request.params['*'] } });
      }
      return sendTile(reply, data, tile.width === undefined);
    },
  });
}

function sendTile(reply: FastifyReply, data: Buffer, full: boolean): FastifyReply {
  return reply.type(OCTETS).header('cache-control', full ? IMMUTABLE : REVALIDATE).send(data);
}
