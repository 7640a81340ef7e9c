// What a data dir holds for a root, as a load reads it (its snapshot with its journal replayed),
// as JSON text for tests to search.
import { RootFiles } from '../../runtime/store/root-files.ts';

export async function storedRoot(dataDir: string, rootId: string): Promise<string> {
  return JSON.stringify(await new RootFiles(dataDir).loadGraph(rootId.startsWith('n::') ? rootId : `n::${rootId}`));
}
