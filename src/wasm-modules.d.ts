/** A `.wasm` file imported as a module (workerd, bundlers with a wasm-module loader). */
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
