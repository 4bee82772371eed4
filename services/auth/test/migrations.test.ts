import { model } from '../src/store/model';

describe('auth migrations', () => {
  it('when the migration files move, then the names databases have recorded stay the same, in order (so none runs twice)', () => {
    expect(model.migrations.map((m) => m.name)).toEqual(['auth-0001-initial-schema']);
  });
});
