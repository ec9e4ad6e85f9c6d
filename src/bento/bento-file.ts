/** The file that makes a folder a bento. */
export const BENTO_FILE = 'bento.yaml';
