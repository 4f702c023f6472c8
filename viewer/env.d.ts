/// <reference types="vite/client" />

/** The bundled controllers, validated and packed by the build (vite.config.ts). */
declare module 'virtual:bundled-checkpoint/*' {
  const packed: import('./bundled-checkpoint.ts').PackedCheckpoint;
  export default packed;
}
