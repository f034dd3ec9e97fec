import { ConflictError } from '@stowage/core';
import type { ContractCase } from '../types.js';
import { assert, group, rejectsWith } from './assert.js';

/** Asserts a conflict error reports `current` as the stored version. */
function assertConflict(error: unknown, current: number): void {
  assert.ok(error instanceof ConflictError, 'expected a ConflictError');
  assert.equal(error.currentVersion, current);
}

/** Version cases: version numbering, expectedVersion, conflicts and no resurrection. */
export const versionCases: ContractCase[] = group('versions', [
  {
    name: 'version is 1 on creation and grows by exactly 1 on every save',
    async run({ storage, id }) {
      const sid = id();
      for (let expected = 1; expected <= 5; expected++) {
        const saved = await storage.sessions.save({ id: sid, data: expected });
        assert.equal(saved.version, expected);
      }
      assert.equal((await storage.sessions.get(sid))?.version, 5);
    },
  },
  {
    name: 'a save expecting the stored version succeeds and returns the next version',
    async run({ storage, id }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: 'v1' });
      await storage.sessions.save({ id: sid, data: 'v2' });
      const saved = await storage.sessions.save({ id: sid, data: 'v3' }, { expectedVersion: 2 });
      assert.equal(saved.version, 3);
      assert.equal((await storage.sessions.get(sid))?.data, 'v3');
    },
  },
  {
    name: 'a stale save is a ConflictError carrying the current version and changes nothing',
    async run({ storage, id }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: 'v1' });
      await storage.sessions.save({ id: sid, data: 'v2' });
      const error = await rejectsWith(
        storage.sessions.save({ id: sid, data: 'stale' }, { expectedVersion: 1 }),
        'CONFLICT',
      );
      assertConflict(error, 2);
      const got = await storage.sessions.get(sid);
      assert.equal(got?.data, 'v2');
      assert.equal(got?.version, 2);
    },
  },
  {
    name: 'a save expecting a version ahead of the stored one is a ConflictError',
    async run({ storage, id }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: 'v1' });
      const error = await rejectsWith(
        storage.sessions.save({ id: sid, data: 'x' }, { expectedVersion: 7 }),
        'CONFLICT',
      );
      assertConflict(error, 1);
      assert.equal((await storage.sessions.get(sid))?.data, 'v1');
    },
  },
  {
    name: 'the ConflictError names the session and the version that was expected',
    async run({ storage, id }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: 1 });
      const error = await rejectsWith(
        storage.sessions.save({ id: sid, data: 2 }, { expectedVersion: 4 }),
        'CONFLICT',
      );
      assert.ok(error instanceof ConflictError);
      assert.equal(error.id, sid);
      assert.equal(error.expectedVersion, 4);
      assert.equal(error.retriable, true);
    },
  },
  {
    name: 'expectedVersion 0 creates a session that does not exist yet',
    async run({ storage, id }) {
      const sid = id();
      const saved = await storage.sessions.save({ id: sid, data: 'new' }, { expectedVersion: 0 });
      assert.equal(saved.version, 1);
      assert.equal((await storage.sessions.get(sid))?.data, 'new');
    },
  },
  {
    name: 'expectedVersion 0 on an existing session is a ConflictError and keeps the session',
    async run({ storage, id }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: 'first' });
      await storage.sessions.save({ id: sid, data: 'second' });
      const error = await rejectsWith(
        storage.sessions.save({ id: sid, data: 'again' }, { expectedVersion: 0 }),
        'CONFLICT',
      );
      assertConflict(error, 2);
      assert.equal((await storage.sessions.get(sid))?.data, 'second');
    },
  },
  {
    name: 'a conditional save on a missing session is a ConflictError with version 0 and creates nothing',
    async run({ storage, id }) {
      const sid = id();
      const error = await rejectsWith(
        storage.sessions.save({ id: sid, data: 'ghost' }, { expectedVersion: 1 }),
        'CONFLICT',
      );
      assertConflict(error, 0);
      assert.equal(await storage.sessions.get(sid), null);
    },
  },
  {
    name: 'a stale save never resurrects a deleted session',
    async run({ storage, id }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: 'v1' });
      await storage.sessions.save({ id: sid, data: 'v2' });
      await storage.sessions.delete(sid);
      for (const expectedVersion of [1, 2, 3]) {
        const error = await rejectsWith(
          storage.sessions.save({ id: sid, data: 'zombie' }, { expectedVersion }),
          'CONFLICT',
        );
        assertConflict(error, 0);
      }
      assert.equal(await storage.sessions.get(sid), null);
    },
  },
  {
    name: 'a save without expectedVersion upserts over whatever version is stored',
    async run({ storage, id }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: 1 });
      await storage.sessions.save({ id: sid, data: 2 }, { expectedVersion: 1 });
      const saved = await storage.sessions.save({ id: sid, data: 3 });
      assert.equal(saved.version, 3);
      assert.equal((await storage.sessions.get(sid))?.data, 3);
    },
  },
  {
    name: 'a session re-created after delete starts again at version 1',
    async run({ storage, id }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: 1 });
      await storage.sessions.save({ id: sid, data: 2 });
      await storage.sessions.delete(sid);
      const saved = await storage.sessions.save({ id: sid, data: 3 }, { expectedVersion: 0 });
      assert.equal(saved.version, 1);
    },
  },
  {
    name: 'delete with the stored version as expectedVersion deletes the session',
    async run({ storage, id }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: 1 });
      await storage.sessions.save({ id: sid, data: 2 });
      assert.equal(await storage.sessions.delete(sid, { expectedVersion: 2 }), true);
      assert.equal(await storage.sessions.get(sid), null);
    },
  },
  {
    name: 'delete with a stale expectedVersion is a ConflictError and keeps the session',
    async run({ storage, id }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: 1 });
      await storage.sessions.save({ id: sid, data: 2 });
      const error = await rejectsWith(
        storage.sessions.delete(sid, { expectedVersion: 1 }),
        'CONFLICT',
      );
      assertConflict(error, 2);
      assert.equal((await storage.sessions.get(sid))?.version, 2);
    },
  },
  {
    name: 'delete expecting a version of a missing session is a ConflictError with version 0',
    async run({ storage, id }) {
      const error = await rejectsWith(
        storage.sessions.delete(id(), { expectedVersion: 3 }),
        'CONFLICT',
      );
      assertConflict(error, 0);
    },
  },
  {
    name: 'a negative or fractional expectedVersion is a ValidationError',
    async run({ storage, id }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: 1 });
      for (const expectedVersion of [-1, 1.5, Number.NaN]) {
        await rejectsWith(
          storage.sessions.save({ id: sid, data: 2 }, { expectedVersion }),
          'VALIDATION',
          `expectedVersion ${expectedVersion}`,
        );
      }
      assert.equal((await storage.sessions.get(sid))?.version, 1);
    },
  },
]);
