/**
 * Loads a city's policy pack from knowledge/packs/<id>/ (or PACKS_DIR). City facts live only here, so a
 * second city is a new folder, not a code change. Invalid packs fail at startup with the file and field.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { AppError } from '../../db/index.ts';
import {
  IndustriesSectionSchema,
  ManifestSchema,
  RegionsSectionSchema,
  type Industry,
  type IndustriesSection,
  type PackManifest,
  type Region,
  type RegionsSection,
} from './schema.ts';

export const DEFAULT_PACKS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'packs');

export interface Pack {
  readonly id: string;
  readonly dir: string;
  readonly manifest: PackManifest;
  readonly regions: RegionsSection;
  readonly industries: IndustriesSection;
  /** Reads and validates `<name>.json` from the pack; throws AppError('config') naming the file and field. */
  section<S extends z.ZodTypeAny>(name: string, schema: S): z.output<S>;
  /** True when the pack ships `<name>.json`. */
  hasSection(name: string): boolean;
  /** Absolute path of a file inside the pack. */
  file(relative: string): string;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new AppError('config', `policy pack file ${file} cannot be read: ${(e as Error).message}`, { cause: e });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new AppError('config', `policy pack file ${file} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
}

function validate<S extends z.ZodTypeAny>(file: string, schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new AppError('config', `policy pack file ${file} is invalid: ${issues}`);
  }
  return r.data;
}

export function loadPack(id: string, packsDir: string = DEFAULT_PACKS_DIR): Pack {
  const dir = path.join(packsDir, id);
  if (!fs.existsSync(path.join(dir, 'pack.json')))
    throw new AppError('config', `policy pack '${id}' not found: ${path.join(dir, 'pack.json')} does not exist`);
  const cache = new Map<string, unknown>();
  const section = <S extends z.ZodTypeAny>(name: string, schema: S): z.output<S> => {
    const key = name;
    if (!cache.has(key)) {
      const file = path.join(dir, `${name}.json`);
      cache.set(key, validate(file, schema, readJson(file)));
    }
    return cache.get(key) as z.output<S>;
  };
  const manifest = section('pack', ManifestSchema);
  if (manifest.id !== id) throw new AppError('config', `policy pack in ${dir} declares id '${manifest.id}', expected '${id}'`);
  return {
    id,
    dir,
    manifest,
    regions: section('regions', RegionsSectionSchema),
    industries: section('industries', IndustriesSectionSchema),
    section,
    hasSection: (name) => fs.existsSync(path.join(dir, `${name}.json`)),
    file: (relative) => {
      const abs = path.resolve(dir, relative);
      if (!abs.startsWith(dir + path.sep)) throw new AppError('config', `pack file ${relative} escapes the pack directory`);
      return abs;
    },
  };
}

export type { Industry, Region };
