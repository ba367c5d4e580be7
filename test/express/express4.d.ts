// `express4` is an npm alias of express@4; its API surface used in tests is the same
// as Express 5's, so it borrows those typings.
declare module 'express4' {
  import express from 'express';
  export default express;
}
