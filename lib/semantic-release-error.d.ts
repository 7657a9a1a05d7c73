// @semantic-release/error@4 ships no type declarations (STYLE.md §3).
declare module "@semantic-release/error" {
  export default class SemanticReleaseError extends Error {
    constructor(message?: string, code?: string, details?: string);
    code: string | undefined;
    details: string | undefined;
    semanticRelease: true;
  }
}
