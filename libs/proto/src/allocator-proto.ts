// Where allocator.proto lives and how every ipledger process loads it. The file sits at the same place
// relative to this module in the sources (libs/proto/src → libs/proto/ipledger/v1) and in the build
// (scripts/build.mjs copies it to dist/libs/proto/ipledger/v1), so one relative path serves both.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export const ALLOCATOR_PROTO_FILE = 'ipledger/v1/allocator.proto';

function findProtoRoot(): string {
  const candidates = [
    join(import.meta.dirname, '..'),
    // A bundled app (one .js file) ships the proto next to itself.
    import.meta.dirname,
  ];
  return candidates.find((dir) => existsSync(join(dir, ALLOCATOR_PROTO_FILE))) ?? candidates[0];
}

/** The directory that holds `ipledger/…`: the include dir for the loader. */
export const PROTO_ROOT = findProtoRoot();
export const ALLOCATOR_PROTO_PATH = join(PROTO_ROOT, ALLOCATOR_PROTO_FILE);

/**
 * Loader options shared by the server and every client: field names as written in the proto, int64 as
 * decimal strings, enums by name, proto3 defaults filled in so replies carry every field.
 */
export const PROTO_LOADER_OPTIONS = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
} satisfies protoLoader.Options;

export function loadAllocatorPackageDefinition(): protoLoader.PackageDefinition {
  return protoLoader.loadSync(ALLOCATOR_PROTO_FILE, { ...PROTO_LOADER_OPTIONS, includeDirs: [PROTO_ROOT] });
}

/** The grpc-js view of the package: `pkg.ipledger.v1.Allocator` is the client constructor. */
export function loadAllocatorPackage(): grpc.GrpcObject {
  return grpc.loadPackageDefinition(loadAllocatorPackageDefinition());
}
