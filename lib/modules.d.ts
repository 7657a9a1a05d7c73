// Type declarations for dependencies that ship none.
// @semantic-release/error@4 ships no type declarations.
declare module "@semantic-release/error" {
  export default class SemanticReleaseError extends Error {
    constructor(message?: string, code?: string, details?: string);
    code: string | undefined;
    details: string | undefined;
    semanticRelease: true;
  }
}

// bottleneck's light build (what @octokit/plugin-throttling uses) has the types of the full one.
declare module "bottleneck/light.js" {
  import Bottleneck from "bottleneck";
  export default Bottleneck;
}
