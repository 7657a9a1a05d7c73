// Public and shared types. Option names and meanings are fixed by DESIGN.md ("Options").

export type AuthMethod = "app" | "pat" | "github-token";
export type PermissionLevel = "read" | "write" | "admin";
export type Permissions = Record<string, PermissionLevel>;

export type DispatchTarget =
  | { repository: string; eventType: string; clientPayload?: Record<string, unknown> }
  | { workflow: string; ref: string; inputs?: Record<string, string>; repository?: string };

/** What users write in `.releaserc` for this plugin. */
export interface PluginConfig {
  authMethod?: "auto" | AuthMethod;
  assets?: string | string[] | false;
  message?: string;
  commitMode?: "auto" | "git" | "api";
  permissions?: Permissions;
  preflight?: "error" | "warn" | "off";
  dispatch?: DispatchTarget[];
  exportToken?: boolean;
  revokeToken?: boolean;
  githubUrl?: string;
  githubApiUrl?: string;
  installationId?: number | string;
}

/** Every option with its default filled in, plus what comes from the environment. */
export interface ResolvedConfig {
  /** "auto" is resolved to a concrete method by resolveConfig */
  authMethod: AuthMethod;
  assets: string[] | false;
  message: string;
  commitMode: "auto" | "git" | "api";
  /** permissions asked for explicitly; undefined = what the enabled features need */
  permissions: Permissions | undefined;
  /**
   * asked for too, when the installation has them, because the token is exported to a later plugin
   * that needs them: @semantic-release/github comments on released issues and pull requests
   */
  laterPluginPermissions: Permissions;
  preflight: "error" | "warn" | "off";
  dispatch: DispatchTarget[];
  exportToken: boolean;
  revokeToken: boolean;
  /** web origin without trailing slash, e.g. https://github.com */
  githubUrl: string;
  /** REST base without trailing slash, e.g. https://api.github.com */
  githubApiUrl: string;
  installationId: number | undefined;
  /** GITHUB_APP_CLIENT_ID or GITHUB_APP_ID (client ID preferred) */
  appId: string | undefined;
  /** GITHUB_APP_PRIVATE_KEY as given (normalised later by normalizePrivateKey) */
  privateKey: string | undefined;
  /** GH_TOKEN, for the `pat` method */
  pat: string | undefined;
  /** GITHUB_TOKEN, for the `github-token` method */
  githubToken: string | undefined;
}

export type Env = Record<string, string | undefined>;
