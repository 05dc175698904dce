// Read by `nest build` and `nest start` (webpack builder). nest-cli prints webpack's build summary
// with colours forced on; this prints it plain where the services' logger would be plain too
// (colorsWanted in libs/common/src/bootstrap/logger.ts): off a terminal, e.g. `npm run dev`
// writing to a file, or with NO_COLOR set.
const colorsWanted = process.env.NO_COLOR
  ? false
  : process.env.FORCE_COLOR !== undefined
    ? process.env.FORCE_COLOR !== '0'
    : Boolean(process.stdout.isTTY);

class PlainBuildSummary {
  apply(compiler) {
    compiler.hooks.compilation.tap(PlainBuildSummary.name, (compilation) => {
      compilation.hooks.statsNormalize.tap(PlainBuildSummary.name, (statsOptions) => {
        statsOptions.colors = false;
      });
    });
  }
}

module.exports = (options) =>
  colorsWanted ? options : { ...options, plugins: [...options.plugins, new PlainBuildSummary()] };
