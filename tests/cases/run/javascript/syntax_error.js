console.log("nothing runs when the file does not parse");

const broken = ;
