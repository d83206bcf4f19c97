// The pure identifier checks live in src/common/identifiers so the engine can validate event payloads without
// depending on the catalog module (which already depends on the engine).
export * from '../../common/identifiers/email';
