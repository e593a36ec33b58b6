import { describe, expect, it } from 'vitest';
import { databaseTarget } from './dev-database.js';

describe('databaseTarget', () => {
  it('finds the database name and the same server’s maintenance database', () => {
    expect(databaseTarget('postgres://postgres@127.0.0.1:5432/ipledger_dev')).toEqual({
      name: 'ipledger_dev',
      adminUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
    });
    expect(databaseTarget('postgresql://u:pw@localhost/mine').adminUrl).toBe('postgresql://u:pw@localhost/postgres');
  });

  it('refuses a database on another machine, since every start drops it', () => {
    expect(() => databaseTarget('postgres://postgres@db.example.com:5432/ipledger')).toThrow(
      'names a database on db.example.com',
    );
  });

  it.each(['postgres', 'template1'])('refuses the system database %s', (name) => {
    expect(() => databaseTarget(`postgres://postgres@127.0.0.1/${name}`)).toThrow('system database');
  });

  it.each(['not a url', 'mysql://127.0.0.1/x', 'postgres://127.0.0.1/'])('refuses %j', (url) => {
    expect(() => databaseTarget(url)).toThrow('DATABASE_URL');
  });
});
