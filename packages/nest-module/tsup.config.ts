import { packageBuildConfig } from '../../tsup.shared.js';

// The library injects every dependency through an explicit token (@Inject or a factory's
// `inject` list), so esbuild's lack of decorator metadata costs nothing.
export default packageBuildConfig();
