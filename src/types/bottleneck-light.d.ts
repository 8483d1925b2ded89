// bottleneck/light.js (what @octokit/plugin-throttling itself uses: no clustering, no Redis
// client to bundle) has the same API as the full package, which ships the types.
declare module 'bottleneck/light.js' {
  import Bottleneck from 'bottleneck';
  export default Bottleneck;
}
